import { describe, expect, it } from 'vitest';
import { parseHostAddress } from './host-address.js';

describe('parseHostAddress', () => {
  it('reads user, host, port (default 22) and the directory (default .slipway under home)', () => {
    expect(parseHostAddress('ssh://deploy@10.0.0.5')).toEqual({
      user: 'deploy',
      host: '10.0.0.5',
      port: 22,
      dir: '.slipway',
      label: 'deploy@10.0.0.5:22',
    });
    expect(parseHostAddress('ssh://root@127.0.0.2:2222/tmp/h1')).toMatchObject({ port: 2222, dir: '/tmp/h1' });
  });

  it('names the key path and the problem for bad addresses', () => {
    const at = 'environments.production.hosts[1]';
    expect(() => parseHostAddress('deploy@10.0.0.5', at)).toThrow(`${at}: "deploy@10.0.0.5" is not a URL`);
    expect(() => parseHostAddress('http://deploy@h', at)).toThrow(/must start with ssh:\/\//);
    expect(() => parseHostAddress('ssh://h.example', at)).toThrow(/needs a user name/);
    expect(() => parseHostAddress('ssh://u:secret@h', at)).toThrow(/must not hold a password/);
    expect(() => parseHostAddress('ssh://u@h/a/../b', at)).toThrow(/plain path/);
    expect(() => parseHostAddress('ssh://u@h:99999', at)).toThrow(/is not a URL/);
  });
});
