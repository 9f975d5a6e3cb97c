import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { validateConfigObject } from '../src/config/validate.js';
import { prometheusRules } from '../src/observe/alerts/prometheus-rules.js';

/** `slipway alerts export-rules` output checked by the real promtool (Debian's prometheus package). */
let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

const config = validateConfigObject(
  {
    project: 'harbor',
    environments: {
      staging: { listen: '127.0.0.1:8081', alerts: { rules: { 'error-rate': { enabled: false } } } },
      production: {
        listen: '127.0.0.1:8082',
        alerts: { tls: ['quote.harbor.test:443'], rules: { 'api-latency-p95': { threshold: 3, for: '1m30s' } } },
      },
    },
    services: {
      api: { command: 'node', resources: { memory: '512Mi', volumes: ['data/uploads'] } },
      web: { command: 'node', route: { pathPrefix: '/web' } },
    },
    database: { url: 'env:DATABASE_URL', migrations: 'migrations', service: 'api' },
  },
  { baseDir: '/srv/harbor' },
);

describe('prometheusRules', () => {
  it('writes a rules file that promtool check rules accepts', () => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-rules-'));
    const file = join(dir, 'slipway.rules.yml');
    writeFileSync(file, prometheusRules(config));
    const out = execFileSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
    expect(out).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('carries the same rules, thresholds, for, keep_firing_for and severities as Slipway evaluates', () => {
    const { groups } = parse(prometheusRules(config)) as { groups: { name: string; rules: Record<string, any>[] }[] };
    expect(groups.map((g) => g.name)).toEqual(['slipway-harbor-staging', 'slipway-harbor-production']);
    const staging = groups[0]!.rules.map((r) => `${r.alert}/${r.labels.service ?? '*'}`);
    expect(staging).not.toContain('error-rate/api'); // turned off there
    expect(staging).toEqual(
      expect.arrayContaining(['api-latency-p95/api', 'api-latency-p95/web', 'database-unreachable/*']),
    );
    const p95 = groups[1]!.rules.find((r) => r.alert === 'api-latency-p95' && r.labels.service === 'api')!;
    expect(p95).toMatchObject({
      for: '1m30s',
      keep_firing_for: '2m',
      labels: { severity: 'critical', environment: 'production' },
    });
    expect(p95.expr).toContain('> 3 * histogram_quantile(0.95');
    expect(p95.expr).toContain('environment="harbor.production",service="api"');
    const memory = groups[1]!.rules.find((r) => r.alert === 'instance-memory')!;
    expect(memory.expr).toBe(`process_resident_memory_bytes{service="api"} / ${512 * 2 ** 20} > 0.8`);
    const tls = groups[1]!.rules.find((r) => r.alert === 'tls-certificate-expiry')!;
    expect(tls).toMatchObject({ for: '0s', labels: { severity: 'warning' } });
    expect(tls.expr).toContain('< 30');
    expect(groups[1]!.rules.find((r) => r.alert === 'disk-usage')!.expr).toContain('/srv/harbor/data/uploads');
    // Its SDK half (auth error events) is Slipway's own: the exported summary says what the expression watches.
    const auth = groups[1]!.rules.find((r) => r.alert === 'auth-failures')!;
    expect(auth.annotations.summary).toBe('share of 4xx answers at the proxy above 5× the baseline');
  });
});
