import process from 'node:process';
import { loadConfig } from '../../config/index.ts';
import { startHub } from '../../main.ts';
import { createRootLogger } from '../../shared/index.ts';
import { writeLine, type CliCommand, type CliContext } from '../cli-command.ts';

async function start(context: CliContext): Promise<number> {
  const config = loadConfig(context.env);
  const log = createRootLogger({ level: config.logLevel });
  const hub = await startHub(config, log);
  const url = hub.httpUrl;
  const smtpHost = hub.smtp.host.includes(':') ? `[${hub.smtp.host}]` : hub.smtp.host;
  writeLine(context.stdout, `Lienthong đang chạy / is running`);
  writeLine(context.stdout, `  web console and API: ${url}/`);
  writeLine(context.stdout, `  API description (OpenAPI): ${url}/api/v1/openapi.json`);
  writeLine(context.stdout, `  health: ${url}/healthz   ready: ${url}/readyz   metrics: ${url}/metrics`);
  writeLine(
    context.stdout,
    `  SMTP: ${smtpHost}:${hub.smtp.port}; mail to ${config.organId}@${config.mailDomain} reaches the hub's own agency`,
  );
  writeLine(
    context.stdout,
    `  database: ${hub.database.target.kind === 'embedded' ? `embedded, in ${config.dataDir} (set DATABASE_URL for PostgreSQL)` : 'PostgreSQL'}`,
  );
  if (hub.firstAdmin) {
    writeLine(
      context.stdout,
      `  first run: sign in as ${hub.firstAdmin.username} with the one-time password`,
    );
    writeLine(context.stdout, `  password: ${hub.firstAdmin.password}`);
    writeLine(context.stdout, '  (shown only now; you choose a new one at first sign-in)');
  }
  writeLine(context.stdout, '  stop with Ctrl+C or SIGTERM');

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  log.info({ signal }, 'stopping');
  // A second signal while draining means "now".
  const now = () => {
    log.warn('second signal: exiting without finishing the drain');
    process.exit(1);
  };
  process.once('SIGTERM', now);
  process.once('SIGINT', now);
  await hub.stop();
  log.info('hub stopped');
  // Every service is stopped (each bounded by the drain timeout). A library handle left open must
  // not keep the process alive past that: the drain is the contract, so end the process shortly.
  setTimeout(() => {
    log.warn('handles still open after the drain; exiting');
    process.exit(0);
  }, 1500).unref();
  return 0;
}

export const commands: readonly CliCommand[] = [
  { words: ['start'], usage: 'start                        run the hub until SIGTERM/SIGINT', run: start },
];
