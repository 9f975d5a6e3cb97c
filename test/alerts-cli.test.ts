import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { System } from './support/system.js';

/**
 * Alerts through the CLI and a real coordinator: its alert rules run for the live release (the local
 * runtime's /proc figures, a TLS endpoint that does not answer shown as a failed check), silences are
 * added, listed and expired, and the rules export for Prometheus.
 */
let system: System;

beforeAll(async () => {
  system = await System.start({
    instances: 1,
    environmentExtras: { staging: 'alerts: { evaluateEvery: 1s, tls: ["127.0.0.1:1"] }' },
  });
}, 120_000);
afterAll(async () => {
  await system?.close();
}, 120_000);

const slipway = (args: string[]) => system.cli(args);

interface Reading {
  name: string;
  phase: string;
  value?: number;
  message?: string;
  labels: Record<string, string>;
}

describe('slipway alerts / silence', () => {
  it('shows the readings of the live release and the checks that failed', async () => {
    expect((await system.deployed('1.0.0')).state).toBe('succeeded');
    let readings: Reading[] = [];
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const out = await slipway(['alerts', '--env', 'staging', '--json']);
      expect(out.code).toBe(0);
      readings = JSON.parse(out.stdout).readings[0]?.readings ?? [];
      if (readings.some((r) => r.name === 'instance_rss_bytes')) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const rss = readings.find((r) => r.name === 'instance_rss_bytes');
    expect(rss).toMatchObject({ phase: 'ok' });
    expect(rss!.value).toBeGreaterThan(5 * 2 ** 20); // a node process, read from /proc through the runtime
    const tls = readings.find((r) => r.name === 'tls_days_left');
    expect(tls).toMatchObject({ phase: 'error', labels: { endpoint: '127.0.0.1:1' } });
    const human = await slipway(['alerts', '--env', 'staging']);
    expect(human.stdout).toContain('no alerts pending or firing');
    expect(human.stdout).toMatch(
      /Checks that failed in staging[\s\S]*tls_days_left\{endpoint=127\.0\.0\.1:1\}\s+error/,
    );
  }, 120_000);

  it('silence add, list, expire; the history shows them; export-rules writes Prometheus rules', async () => {
    const added = await slipway([
      'silence', 'add', 'alertname=error-rate', 'service=quote-api', '-e', 'staging', '--for', '1h',
      '--comment', 'known: cache warming', '--json',
    ]); // biome-ignore format: argument list
    expect(added.code).toBe(0);
    const { silence } = JSON.parse(added.stdout);
    expect(silence.matchers).toEqual(['alertname=error-rate', 'service=quote-api']);
    const listed = await slipway(['silence', 'list']);
    expect(listed.stdout).toMatch(new RegExp(`${silence.id}\\s+staging\\s+alertname=error-rate service=quote-api`));
    const bad = await slipway(['silence', 'add', 'nonsense', '-e', 'staging', '--for', '1h', '--comment', 'x']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/body\.matchers\[0\]: "nonsense" is not a matcher/);
    const expired = await slipway(['silence', 'expire', silence.id, '-e', 'staging']);
    expect(expired.stdout.trim()).toBe(`silence ${silence.id} ended`);
    const history = await slipway(['alerts', '--history']);
    expect(history.stdout).toMatch(/silence\.expired[\s\S]*silence\.created/);
    const rules = await slipway(['alerts', 'export-rules', '--env', 'staging']);
    expect(rules.code).toBe(0);
    expect(rules.stdout).toMatch(/^groups:\n {2}- name: \S+-staging/);
    expect(rules.stdout).toContain('alert: tls-certificate-expiry');
  }, 120_000);
});
