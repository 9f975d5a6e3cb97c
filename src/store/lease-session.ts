import { createHash } from 'node:crypto';

/** PostgreSQL keeps the first 63 bytes of an application_name. */
const maxName = 63;

/**
 * The application_name of a coordinator's store connections (pg_stat_activity shows it to every session): how a
 * follower sees that the leader's process is gone, since PostgreSQL ends a backend as soon as its client's socket
 * closes (a SIGKILLed coordinator's at once). Long holder ids are shortened with a hash so the name stays unique.
 */
export function leaseSessionName(holder: string): string {
  const name = `slipway ${holder}`;
  if (Buffer.byteLength(name) <= maxName) return name;
  const hash = createHash('sha256').update(holder).digest('hex').slice(0, 16);
  return `slipway ${holder.slice(0, 30)}~${hash}`;
}
