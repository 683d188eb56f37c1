#!/usr/bin/env node
// The hub runs its TypeScript sources through tsx: no build step between `npm ci` and `npm start`.
import process from 'node:process';
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../src/cli/run-cli.ts');
process.exitCode = await runCli(process.argv.slice(2));
