import pg from 'pg';
import type { ProjectConfig } from '../../../config/model.js';
import { databaseUrlFor } from '../../../migrations/database.js';
import { messageOf } from '../../../shared/errors.js';
import { parsePostgresUrl, scrubCredentials } from '../../../store/postgres-address.js';
import type { AlertReader, AlertReading, AlertTarget } from '../reader.js';

export interface DatabaseReaderOptions {
  configOf: (project: string) => Promise<ProjectConfig | undefined>;
  /** Connect + `select 1` must finish within this (default 5 s): longer is a timeout, which alerts. */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

/**
 * A real probe of the project's database in each environment: connect and `select 1`. A refused
 * connection or a timeout is `database_probe_failed` = 1 (the alert's condition, labelled with the
 * database's service); a URL that cannot be resolved (its variable unset) is a reading with phase
 * `error` — Slipway could not check, which is not the same as the database being down.
 */
export class DatabaseReader implements AlertReader {
  readonly name = 'database';
  readonly scope = 'environment';

  constructor(private readonly options: DatabaseReaderOptions) {}

  async read(target: AlertTarget, signal?: AbortSignal): Promise<AlertReading[]> {
    const config = await this.options.configOf(target.project);
    if (!config?.database) return [];
    const labels = { service: config.database.service };
    let url: string;
    try {
      url = databaseUrlFor(config, target.environment, this.options.env);
    } catch (e) {
      return [{ name: 'database_probe_failed', labels, phase: 'error', message: messageOf(e) }];
    }
    const where = parsePostgresUrl(url).display;
    const failure = await probe(url, this.options.timeoutMs ?? 5000, signal);
    return [
      {
        name: 'database_probe_failed',
        labels,
        phase: 'ok',
        value: failure ? 1 : 0,
        detail: failure ? `${where}: ${scrubCredentials(failure, url)}` : `${where} answered select 1`,
      },
    ];
  }

  async close(): Promise<void> {}
}

/** Connect and `select 1` within `timeoutMs`; the failure's message, or undefined when it answered. */
async function probe(url: string, timeoutMs: number, signal?: AbortSignal): Promise<string | undefined> {
  const client = new pg.Client({
    connectionString: url,
    application_name: 'slipway-alert-probe',
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
  });
  client.on('error', () => undefined);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${timeoutMs} ms`), timeoutMs);
    signal?.addEventListener('abort', () => resolve('the probe was aborted'), { once: true });
  });
  const attempt = (async () => {
    try {
      await client.connect();
      await client.query('select 1');
      return undefined;
    } catch (e) {
      return messageOf(e) || 'connection failed';
    }
  })();
  try {
    return await Promise.race([attempt, deadline]);
  } finally {
    clearTimeout(timer);
    void client.end().catch(() => undefined);
  }
}
