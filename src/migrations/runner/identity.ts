import { hostname, userInfo } from 'node:os';

/** Who is running migrations, as recorded in the history table: `user@host pid N`. */
export function runnerIdentity(): string {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    // Containers running as a uid without a passwd entry make userInfo() throw.
    user = process.env.USER ?? process.env.LOGNAME ?? `uid ${process.getuid?.() ?? '?'}`;
  }
  return `${user}@${hostname()} pid ${process.pid}`;
}

/**
 * The `application_name` of a runner's connection, so whoever looks at pg_stat_activity (or
 * the lock-held message of another runner) recognises it: `slipway migrate (user@host pid N)`.
 * PostgreSQL truncates it to 63 bytes; the prefix is kept short so the pid usually survives.
 */
export function applicationName(identity: string): string {
  return `slipway migrate (${identity})`;
}
