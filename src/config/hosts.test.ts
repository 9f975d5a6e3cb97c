import { describe, expect, it } from 'vitest';
import { issuesFor, rawConfig } from '../../test/support/config.js';
import { validateConfigObject } from './validate.js';

describe('hosts config (the SSH runtime)', () => {
  it('keeps hosts per environment and per service, with the key secret or the agent', () => {
    const raw = rawConfig();
    raw.environments.production.hosts = ['ssh://deploy@10.0.0.5', 'ssh://deploy@10.0.0.6:2222/srv/slipway'];
    raw.environments.production.sshKey = 'secret:DEPLOY_KEY';
    raw.environments.staging.hosts = ['ssh://deploy@10.0.1.5'];
    raw.services.api.environments = { production: { hosts: ['ssh://deploy@10.0.0.7'] } };
    const config = validateConfigObject(raw, { baseDir: '/srv/app' });
    const [staging, production] = config.environments;
    expect(production).toMatchObject({
      hosts: ['ssh://deploy@10.0.0.5', 'ssh://deploy@10.0.0.6:2222/srv/slipway'],
      sshKeySecret: 'DEPLOY_KEY',
    });
    expect(staging!.hosts).toEqual(['ssh://deploy@10.0.1.5']);
    expect(staging!.sshKeySecret).toBeUndefined();
    expect(config.services[0]!.environments.production!.hosts).toEqual(['ssh://deploy@10.0.0.7']);
  });

  it('without hosts an environment runs on this machine', () => {
    const config = validateConfigObject(rawConfig(), { baseDir: '/srv/app' });
    expect(config.environments.map((e) => e.hosts)).toEqual([undefined, undefined]);
  });

  it('names the key path of a bad host, a duplicate, or a bad sshKey', () => {
    const raw = rawConfig();
    raw.environments.production.hosts = ['ssh://deploy@10.0.0.5', 'deploy@10.0.0.6'];
    raw.environments.staging.hosts = ['ssh://d@h', 'ssh://d@h'];
    raw.environments.staging.sshKey = 'file:/root/.ssh/id_ed25519';
    raw.services.api.environments = { production: { hosts: ['ssh://d@h/a/../etc'] } };
    const issues = issuesFor(raw).map((i) => `${i.path}: ${i.message}`);
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^environments\.production\.hosts\[1\]: .*ssh:\/\/user@host\[:port\]/),
        expect.stringMatching(/^environments\.staging\.hosts: .*lists a host twice/),
        expect.stringMatching(/^environments\.staging\.sshKey: .*agent or secret:NAME/),
        expect.stringMatching(/^services\.api\.environments\.production\.hosts\[0\]: .*"\.\."/),
      ]),
    );
  });
});
