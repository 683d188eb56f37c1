// A worker thread runs plain Node: teach it TypeScript (as bin/lienthong.js does for the hub), then
// load the worker itself.
import { register } from 'tsx/esm/api';

register();
await import('./reader-worker.ts');
