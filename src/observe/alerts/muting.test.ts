import { describe, expect, it } from 'vitest';
import type { ActiveAlert } from './alert-state.js';
import { formatMatcher, matchesAll, parseMatcher } from './matchers.js';
import { applyMuting } from './muting.js';

function alert(
  rule: string,
  severity: 'critical' | 'warning',
  service = 'api',
  state: ActiveAlert['state'] = 'firing',
) {
  return {
    fingerprint: `${rule}/${service}`,
    rule,
    severity,
    labels: { alertname: rule, severity, service, environment: 'staging' },
    groupKey: `p/staging/${service}`,
    state,
    activeSince: 0,
    lastBreachAt: 0,
    value: 1,
    threshold: 0,
  } satisfies ActiveAlert;
}

describe('matchers', () => {
  it('parse the four Alertmanager operators, quoted or not', () => {
    expect(parseMatcher('service=api', 'm')).toEqual({ name: 'service', op: '=', value: 'api' });
    expect(parseMatcher('alertname=~"api-.*"', 'm')).toEqual({ name: 'alertname', op: '=~', value: 'api-.*' });
    expect(parseMatcher('severity!=critical', 'm').op).toBe('!=');
    expect(parseMatcher('service!~web|api', 'm').op).toBe('!~');
    expect(formatMatcher(parseMatcher('alertname=~"api-.*"', 'm'))).toBe('alertname=~"api-.*"');
  });
  it('refuse what is not a matcher, naming where', () => {
    expect(() => parseMatcher('just words', 'matchers[1]')).toThrow(/matchers\[1\]: "just words" is not a matcher/);
    expect(() => parseMatcher('a=~(', 'matchers[0]')).toThrow(/not a valid regex/);
  });
  it('regexes are anchored; a missing label is the empty string', () => {
    const labels = { alertname: 'api-latency-p95', service: 'api' };
    expect(matchesAll([parseMatcher('alertname=~api', 'm')], labels)).toBe(false);
    expect(matchesAll([parseMatcher('alertname=~api-.*', 'm'), parseMatcher('service=api', 'm')], labels)).toBe(true);
    expect(matchesAll([parseMatcher('team=', 'm')], labels)).toBe(true);
    expect(matchesAll([parseMatcher('service!=api', 'm')], labels)).toBe(false);
  });
});

describe('applyMuting', () => {
  it('a firing critical inhibits the warnings of its group only', () => {
    const muted = applyMuting(
      [alert('api-latency-p95', 'critical'), alert('error-rate', 'warning'), alert('error-rate', 'warning', 'web')],
      [],
    );
    expect(muted.map((a) => a.mutedBy)).toEqual([undefined, 'inhibited by api-latency-p95', undefined]);
  });
  it('a pending critical inhibits nothing', () => {
    const muted = applyMuting(
      [alert('auth-failures', 'critical', 'api', 'pending'), alert('error-rate', 'warning')],
      [],
    );
    expect(muted[1]!.mutedBy).toBeUndefined();
  });
  it('a silence mutes the alerts all its matchers accept, and un-muting clears mutedBy', () => {
    const silence = {
      id: 's1',
      matchers: [parseMatcher('alertname=error-rate', 'm'), parseMatcher('service=web', 'm')],
    };
    const [api, web] = applyMuting([alert('error-rate', 'warning'), alert('error-rate', 'warning', 'web')], [silence]);
    expect(api!.mutedBy).toBeUndefined();
    expect(web!.mutedBy).toBe('silence s1');
    expect(applyMuting([web!], [])[0]!.mutedBy).toBeUndefined();
  });
});
