import { describe, expect, it } from 'vitest';
import { issuesFor, rawConfig } from '../../test/support/config.js';
import { validateConfigObject } from './validate.js';

describe('runtime.kubernetes config', () => {
  it('takes the namespace, image template and cluster, with defaults for the rest', () => {
    const raw = rawConfig();
    raw.runtime = {
      kubernetes: { namespace: 'shop', image: 'registry.example.com/{service}:{version}', kubeconfig: 'kube/config' },
    };
    const config = validateConfigObject(raw, { baseDir: '/srv/app' });
    expect(config.runtime.kubernetes).toEqual({
      namespace: 'shop',
      kubeconfig: '/srv/app/kube/config',
      image: 'registry.example.com/{service}:{version}',
      port: 8080,
      command: 'image',
      envFrom: [],
      pollMs: 2000,
    });
  });

  it('absent: instances run on this machine', () => {
    expect(validateConfigObject(rawConfig(), { baseDir: '/srv/app' }).runtime.kubernetes).toBeUndefined();
  });

  it('names the key path of a bad namespace, image, port or command, and refuses hosts beside it', () => {
    const raw = rawConfig();
    raw.runtime = {
      kubernetes: { namespace: 'Shop_1', image: 'has space', port: 0, command: 'docker', envFrom: ['OK'], extra: 1 },
    };
    raw.environments.production.hosts = ['ssh://deploy@10.0.0.5'];
    const issues = issuesFor(raw).map((i) => `${i.path}: ${i.message}`);
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^runtime\.kubernetes\.namespace: .*Kubernetes name/),
        expect.stringMatching(/^runtime\.kubernetes\.image: .*without spaces/),
        expect.stringMatching(/^runtime\.kubernetes\.port: /),
        expect.stringMatching(/^runtime\.kubernetes\.command: /),
        expect.stringMatching(/^runtime\.kubernetes\.envFrom\[0\]: /),
        expect.stringMatching(/^runtime\.kubernetes(\.extra)?: .*extra/),
        expect.stringMatching(/^environments\.production\.hosts: .*runtime\.kubernetes/),
      ]),
    );
  });
});
