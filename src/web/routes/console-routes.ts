import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { apiError } from '../error-shape.ts';

/**
 * The web console: one small single-page app in plain ES modules (src/web/console), served as it is
 * with no build step. It holds no data and needs no credential; everything it shows comes from the
 * JSON API, which keeps the only copy of the access and agency-scope rules.
 */
const CONSOLE_DIR = path.resolve(import.meta.dirname, '../console');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

// No inline script or style anywhere, so the policy can forbid both: injected markup cannot run.
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  // The PDF viewer frame shows the hub's own attachment answers (served inline for PDFs only).
  "frame-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

type Asset = { body: Buffer; type: string };

/** Read once at start: a fixed set of names, so no request path ever reaches the file system. */
function loadAssets(): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const name of readdirSync(CONSOLE_DIR)) {
    const type = CONTENT_TYPES[path.extname(name)];
    if (type) assets.set(name, { body: readFileSync(path.join(CONSOLE_DIR, name)), type });
  }
  return assets;
}

export function consoleRoutes() {
  const assets = loadAssets();
  const index = assets.get('index.html');
  if (!index) throw new TypeError(`the web console is missing: no index.html in ${CONSOLE_DIR}`);
  return (app: FastifyInstance) => {
    app.get('/', async (_request, reply) =>
      reply
        .header('content-type', index.type)
        .header('content-security-policy', CONTENT_SECURITY_POLICY)
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'no-referrer')
        .header('cache-control', 'no-cache')
        .send(index.body),
    );
    app.get<{ Params: { file: string } }>('/console/:file', async (request, reply) => {
      const asset = assets.get(request.params.file);
      if (!asset || request.params.file === 'index.html')
        return reply.code(404).send(apiError('WEB_NOT_FOUND', 'no such file of the web console'));
      return reply
        .header('content-type', asset.type)
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'no-cache')
        .send(asset.body);
    });
  };
}
