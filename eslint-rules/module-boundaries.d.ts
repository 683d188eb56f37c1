import type { ESLint } from 'eslint';

/** The local rules (module-boundaries.js). */
declare const plugin: ESLint.Plugin;
export default plugin;
