import { describe, expect, it } from 'vitest';
import { LogIngest } from './log-ingest.js';
import { parseLogLine } from './sample-log.js';

describe('parseLogLine', () => {
  it('reads a served request, tells HAProxy-made 503s from the upstream’s, skips unrouted ones', () => {
    expect(parseLogLine('101 7 200 12 1796361380616 s3 ----')).toEqual({
      key: '101 7',
      status: 200,
      latencyMs: 12,
      at: 1796361380628,
      server: 's3',
      proxyError: false,
    });
    expect(parseLogLine('101 8 503 0 1796361380616 s3 SC--')?.proxyError).toBe(true);
    expect(parseLogLine('101 9 503 4 1796361380616 s3 ----')?.proxyError).toBe(false);
    expect(parseLogLine('101 10 404 0 1796361380616 <NOSRV> PR--')).toBeUndefined();
    expect(parseLogLine('')).toBeUndefined();
  });
});

describe('LogIngest', () => {
  it('counts each request once however often the ring is read, per release of the server', () => {
    const ingest = new LogIngest(1);
    const label = (server: string) =>
      ({ s1: { environment: 'e', service: 'svc', release: '1.0.0' } })[server as 's1'] as
        | { environment: string; service: string; release: string }
        | undefined;
    ingest.ingest(9, '9 1 200 3 1000 s1 ----\n9 2 500 4 1000 s1 ----\n', label);
    ingest.ingest(9, '9 1 200 3 1000 s1 ----\n9 2 500 4 1000 s1 ----\n9 3 201 5 1000 s1 ----\n', label);
    ingest.ingest(9, '9 3 201 5 1000 s1 ----\n9 4 200 1 1000 s9 ----\n', label);
    const stats = ingest.registry.snapshot(2).environments.e!.svc!['1.0.0']!;
    expect(stats.requests['2xx']).toBe(2);
    expect(stats.requests['5xx']).toBe(1);
    expect(stats.latency.count).toBe(3);
    expect(ingest.registry.samples('e', 'svc', 0).samples.map((s) => [s.seq, s.status])).toEqual([
      [1, 200],
      [2, 500],
      [3, 201],
    ]);
  });

  it('a live tail after a dump counts only lines the dump did not have, each once', () => {
    const ingest = new LogIngest(1);
    const label = () => ({ environment: 'e', service: 'svc', release: '1.0.0' });
    ingest.ingest(9, '9 1 200 3 1000 s1 ----\n', label);
    for (const line of [
      '9 1 200 3 1000 s1 ----',
      '9 2 200 3 1000 s1 ----',
      '9 2 200 3 1000 s1 ----',
      'Proxy x stopped',
    ])
      ingest.ingestLine(9, line, label);
    expect(ingest.registry.snapshot(2).environments.e!.svc!['1.0.0']!.latency.count).toBe(2);
  });
});
