import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { dim } from '../cli/output.js';
import { onExit } from '../shared/exit-cleanup.js';
import { missingForPlatform } from './platform-run.js';
import { platformServerUrl } from './platform-workspace.js';

/** Whether the PostgreSQL server the platform demo uses answers (a short connection attempt). */
async function postgresAnswers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * The second part of `npm start`: the seed's whole stack released as one (`npm run demo:platform`), run as its own
 * process so what it starts is stopped when it ends. Skipped with one line saying why when PostgreSQL or the
 * platform's prerequisites are missing. Resolves with whether it ran and succeeded.
 */
export async function runPlatformPart(say: (line?: string) => void): Promise<'ok' | 'failed' | 'skipped'> {
  const where = new URL(platformServerUrl).host;
  if (!(await postgresAnswers(platformServerUrl))) {
    say(dim(`PostgreSQL is not reachable at ${where}: skipping the platform part (npm run demo:platform runs it)`));
    return 'skipped';
  }
  const missing = await missingForPlatform();
  if (missing.length > 0) {
    say(dim(`skipping the platform part: it needs ${missing.join(', and ')}`));
    return 'skipped';
  }
  say(dim(`PostgreSQL answers at ${where}: now the seed's whole stack, released as one (npm run demo:platform)\n`));
  const entry = fileURLToPath(new URL('./platform.js', import.meta.url));
  const child = spawn(process.execPath, [entry], { stdio: 'inherit', env: process.env });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  // Ctrl-C or SIGTERM on the demo: the platform part stops what it started (its own cleanups), and is waited for.
  const forget = onExit(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  });
  const code = await exited;
  forget();
  return code === 0 ? 'ok' : 'failed';
}
