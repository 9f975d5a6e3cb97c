import { describe, expect, it } from 'vitest';
import { renderAlerts } from './alerts.js';

const alert = (rule: string, value: number, threshold: number, unit?: 'ms' | 'ratio' | 'days' | 'count') => ({
  environment: 'staging',
  rule,
  severity: 'warning',
  state: 'firing',
  groupKey: 'harbor-quote/staging/quote-api',
  labels: {},
  value,
  threshold,
  ...(unit ? { unit } : {}),
  activeSince: new Date().toISOString(),
  firedAt: new Date().toISOString(),
  mutedBy: null,
});

describe('slipway alerts', () => {
  it('shows each figure in its unit: ratios as percentages, days and milliseconds named', () => {
    const out = renderAlerts([
      alert('error-rate', 0.125, 0.0375, 'ratio'),
      alert('tls-certificate-expiry', 0.92, 30, 'days'),
      alert('api-latency-p95', 840, 400, 'ms'),
      alert('error-events', 120, 100, 'count'),
    ]);
    expect(out).toContain('12.5 % vs 3.75 %');
    expect(out).toContain('0.92 days vs 30 days');
    expect(out).toContain('840 ms vs 400 ms');
    expect(out).toMatch(/error-events\s+firing .*\s120 vs 100\s/);
  });

  it('a coordinator that sends no unit: the bare numbers', () => {
    expect(renderAlerts([alert('error-rate', 0.125, 0.0375)])).toContain('0.125 vs 0.0375');
  });
});
