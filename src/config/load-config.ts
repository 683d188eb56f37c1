import { availableParallelism } from 'node:os';
import path from 'node:path';
import { ConfigSchema, ENVIRONMENT_VARIABLES, URL_KEYS_WITH_SECRETS, type Config } from './config-schema.ts';
import { HubError } from '../shared/index.ts';

export type { Config } from './config-schema.ts';
export { ENVIRONMENT_VARIABLES } from './config-schema.ts';

type Environment = Readonly<Record<string, string | undefined>>;

function setPath(target: Record<string, unknown>, dotted: string, value: string): void {
  const keys = dotted.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    node[key] ??= {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys.at(-1) as string] = value;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/**
 * Environment → validated, frozen configuration. Every problem is reported at once, naming the
 * environment variable, so an operator fixes them in one go. Empty variables count as unset.
 */
export type HubConfig = Readonly<
  Omit<Config, 'trustDir' | 'verifyWorkers'> & { trustDir: string; verifyWorkers: number }
>;

export function loadConfig(env: Environment): HubConfig {
  const raw: Record<string, unknown> = { database: {}, amqp: {}, http: {}, smtp: {}, tls: {} };
  for (const [key, variable] of Object.entries(ENVIRONMENT_VARIABLES)) {
    const value = env[variable];
    if (value !== undefined && value !== '') setPath(raw, key, value);
  }
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const key = issue.path.join('.');
      const variable = (ENVIRONMENT_VARIABLES as Record<string, string>)[key] ?? key;
      return { variable, message: issue.message };
    });
    const text = problems.map((p) => `  - ${p.variable}: ${p.message}`).join('\n');
    throw new HubError('CONFIG_INVALID', `invalid configuration (${problems.length} problem(s)):\n${text}`, {
      details: { problems },
    });
  }
  const config = parsed.data;
  const dataDir = path.resolve(config.dataDir);
  const trustDir = path.resolve(config.trustDir ?? path.join(dataDir, 'trust'));
  if (Boolean(config.tls.certFile) !== Boolean(config.tls.keyFile)) {
    throw new HubError(
      'CONFIG_INVALID',
      'invalid configuration (1 problem(s)):\n  - LIENTHONG_TLS_CERT/LIENTHONG_TLS_KEY: set both or neither',
    );
  }
  // A pool earns its threads where submissions arrive concurrently; the embedded database serves
  // one process on one connection, where verifying inline costs nothing that threads would save.
  const verifyWorkers = config.verifyWorkers ?? (config.database.url ? availableParallelism() : 0);
  return deepFreeze({ ...config, dataDir, trustDir, verifyWorkers });
}

/** A URL with its password replaced, for logs and `config print`. */
export function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = 'REDACTED';
    return url.toString();
  } catch {
    return '[unparseable URL]';
  }
}

export function redactConfig(config: HubConfig): HubConfig {
  const copy = structuredClone(config) as Record<string, unknown>;
  for (const key of URL_KEYS_WITH_SECRETS) {
    const [head, tail] = key.split('.') as [string, string];
    const section = copy[head] as Record<string, unknown>;
    const value = section[tail];
    if (typeof value === 'string') section[tail] = redactUrl(value);
  }
  return copy as HubConfig;
}
