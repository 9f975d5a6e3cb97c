import { gunzipSync } from 'node:zlib';
import pg from 'pg';

/**
 * When the error events of a project arrived, per release, for a failure message: a judge verdict on
 * errors per request is only as good as the events counted in its window, so a test that fails on one
 * prints how many came in each second and how long each took from the SDK (the event's timestamp) to the
 * ingest (received_at). Events whose payload cannot be read count with an unknown delay.
 */
export async function errorArrivals(databaseUrl: string, project: string, since: Date): Promise<string> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ release: string; at: number; payload: Buffer }>(
      `select release, extract(epoch from received_at)::float8 as at, payload from error_events
       where project = $1 and received_at >= $2 order by received_at`,
      [project, since],
    );
    const t0 = since.getTime() / 1000;
    const byRelease = new Map<string, { seconds: number[]; delaysMs: number[] }>();
    for (const r of rows) {
      const entry = byRelease.get(r.release) ?? { seconds: [], delaysMs: [] };
      byRelease.set(r.release, entry);
      entry.seconds.push(Math.floor(r.at - t0));
      const sent = sdkTimestamp(r.payload);
      if (sent !== undefined) entry.delaysMs.push(Math.round((r.at - sent) * 1000));
    }
    return [...byRelease]
      .map(([release, e]) => {
        const perSecond = new Map<number, number>();
        for (const s of e.seconds) perSecond.set(s, (perSecond.get(s) ?? 0) + 1);
        const delays = [...e.delaysMs].sort((a, b) => a - b);
        return (
          `${release}: ${e.seconds.length} events; per second since the deployment began ` +
          `${[...perSecond].map(([s, n]) => `${s}s:${n}`).join(' ')}; SDK → ingest ms ` +
          `median ${delays[Math.floor(delays.length / 2)] ?? '?'}, max ${delays.at(-1) ?? '?'}`
        );
      })
      .join('\n');
  } finally {
    await client.end();
  }
}

/** The event's own timestamp (seconds) from a stored payload: the event's JSON or an envelope, gzip-compressed. */
function sdkTimestamp(payload: Buffer): number | undefined {
  try {
    const match = /"timestamp":\s*([0-9.]+)/.exec(gunzipSync(payload).toString('utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}
