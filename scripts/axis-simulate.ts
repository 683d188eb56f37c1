import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { startAxisSimulator, type AxisEvent, type AxisSystem } from '../test/support/axis-simulator.ts';

/**
 * Runs the national-axis simulator on its own, for trying the hub against it (docs/axis-simulator.md):
 *   npm run axis:simulate -- --port 8089 --system vxp.saas.03 --secret-file ./secret --organ 000.00.00.H53
 * Each `--system` takes the `--secret-file` (or `--secret`) and `--organ`s that follow it.
 */
const USAGE = `usage: npm run axis:simulate -- [--port 8089] [--host 127.0.0.1] [--page-size 50]
         --system <systemId> (--secret-file <file> | --secret <text>) --organ <OrganId> [--organ <OrganId> …]
         [--system … for each further system]`;

function exit(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

let parsed;
try {
  parsed = parseArgs({
    options: {
      port: { type: 'string', default: '8089' },
      host: { type: 'string', default: '127.0.0.1' },
      'page-size': { type: 'string', default: '50' },
      system: { type: 'string', multiple: true },
      'secret-file': { type: 'string', multiple: true },
      secret: { type: 'string', multiple: true },
      organ: { type: 'string', multiple: true },
      help: { type: 'boolean', default: false },
    },
    tokens: true,
    strict: true,
  });
} catch (error) {
  exit(error instanceof Error ? error.message : String(error));
}
if (parsed.values.help) {
  console.log(USAGE);
  process.exit(0);
}

const systems: AxisSystem[] = [];
for (const token of parsed.tokens) {
  if (token.kind !== 'option' || !['system', 'secret-file', 'secret', 'organ'].includes(token.name)) continue;
  const value = token.value ?? '';
  const current = systems.at(-1);
  if (token.name === 'system') {
    systems.push({ systemId: value, secret: '', organIds: [] });
  } else if (!current) {
    exit(`--${token.name} must follow a --system`);
  } else if (token.name === 'organ') {
    current.organIds.push(value);
  } else if (token.name === 'secret') {
    current.secret = value;
  } else {
    try {
      current.secret = fs.readFileSync(value, 'utf8').replace(/\r?\n$/, '');
    } catch (error) {
      exit(`cannot read ${value}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
for (const system of systems) {
  if (system.secret === '') exit(`system ${system.systemId} has no --secret-file or --secret`);
  if (system.organIds.length === 0) exit(`system ${system.systemId} has no --organ`);
}
const port = Number(parsed.values.port);
const pageSize = Number(parsed.values['page-size']);
if (!Number.isInteger(port) || port < 0 || port > 65535) exit(`--port ${parsed.values.port} is not a port`);
if (!Number.isInteger(pageSize) || pageSize < 1)
  exit(`--page-size ${parsed.values['page-size']} is not a size`);

const describe = (event: AxisEvent): string => {
  const time = new Date().toISOString().slice(11, 19);
  const parts = [time, event.call, event.systemId ?? '-', event.status];
  if (event.docId) parts.push(`docId=${event.docId}`);
  if (event.from) parts.push(`${event.from} -> ${(event.to ?? []).join(',')}`);
  if (event.message) parts.push(`(${event.message})`);
  return parts.join(' ');
};

const simulator = await startAxisSimulator({
  port,
  host: parsed.values.host,
  pageSize,
  systems,
  onEvent: (event) => console.log(describe(event)),
});
const base = simulator.endpoint.replace(/\/vdxp$/, '');
console.log(`axis simulator: ${simulator.endpoint}`);
for (const system of systems) console.log(`  system ${system.systemId}: ${system.organIds.join(', ')}`);
if (systems.length === 0) console.log(`  no system yet: POST ${base}/_simulator/systems`);
console.log(`  control API: ${base}/_simulator/ (enqueue, faults, accepted, receipts, counts)`);

const stop = () => {
  simulator.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
