import { loadConfig, type HubConfig } from '../config/index.ts';
import { openDatabase, readLockHolder, type Database } from '../db/index.ts';
import { HubError, createSilentLogger } from '../shared/index.ts';
import { readControlFile, type LocalControl } from '../web/index.ts';
import type { CliContext } from './cli-command.ts';

/**
 * How a data command reaches the hub's data: straight to the database, or — when a running hub
 * holds the embedded database, which serves one process only — through that hub's HTTP API.
 */
export type HubAccess =
  | { kind: 'database'; config: HubConfig; database: Database }
  | { kind: 'running-hub'; config: HubConfig; control: LocalControl };

export async function withHubAccess<T>(
  context: CliContext,
  purpose: string,
  work: (access: HubAccess) => Promise<T>,
): Promise<T> {
  const config = loadConfig(context.env);
  if (!config.database.url) {
    const holder = readLockHolder(config.dataDir);
    const control = holder ? readControlFile(config.dataDir) : undefined;
    if (holder && control) return work({ kind: 'running-hub', config, control });
  }
  const database = await openDatabase(
    config.database.url
      ? { kind: 'postgres', url: config.database.url }
      : { kind: 'embedded', dir: config.dataDir },
    { log: createSilentLogger(), purpose, migrate: true },
  );
  try {
    return await work({ kind: 'database', config, database });
  } finally {
    await database.close();
  }
}

export type HubResponse = { status: number; body: unknown };

export async function callRunningHub(
  control: LocalControl,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<HubResponse> {
  let response: Response;
  try {
    response = await fetch(`${control.httpUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${control.controlToken}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (error) {
    throw new HubError(
      'CLI_HUB_UNREACHABLE',
      `the running hub at ${control.httpUrl} did not answer: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return { status: response.status, body: await response.json().catch(() => null) };
}

export function apiErrorMessage(response: HubResponse): string {
  const error = (response.body as { error?: { message?: string; text?: { vi: string; en: string } } } | null)
    ?.error;
  // The operator reads both languages, as the CLI's own messages say them ("vi / en").
  if (error?.text) return `${error.text.vi} / ${error.text.en}`;
  return error?.message ?? `the hub answered HTTP ${response.status}`;
}
