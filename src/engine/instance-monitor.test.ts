import { describe, expect, it } from 'vitest';
import { routedAt } from './instance-monitor.js';

describe('routedAt: where a status report puts an instance in the route table', () => {
  it('routes an instance meant to run, healthy, with an address; nothing else', () => {
    expect(routedAt('running', 'healthy', '127.0.0.1:4000')).toBe('127.0.0.1:4000');
    expect(routedAt('running', 'starting', '127.0.0.1:4000')).toBeUndefined();
    expect(routedAt('running', 'unhealthy', '127.0.0.1:4000')).toBeUndefined();
    expect(routedAt('running', 'healthy', undefined)).toBeUndefined();
    // Drained (warm) or being stopped: out of the table whatever the runtime reports.
    expect(routedAt('warm', 'healthy', '127.0.0.1:4000')).toBeUndefined();
    expect(routedAt('stopped', 'healthy', '127.0.0.1:4000')).toBeUndefined();
  });
});
