import { describe, expect, it } from 'vitest';
import { proxyCommand } from './proxy-command.js';

describe('proxyCommand', () => {
  it('passes the configured worker count, and none for auto (the proxy then takes one per core but one)', () => {
    expect(proxyCommand(3)[1].slice(-3)).toEqual(['proxy', '--workers', '3']);
    expect(proxyCommand(0)[1].slice(-3)).toEqual(['proxy', '--workers', '0']);
    expect(proxyCommand('auto')[1].at(-1)).toBe('proxy');
    expect(proxyCommand()[1]).not.toContain('--workers');
  });
});
