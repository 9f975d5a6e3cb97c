import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawConfig } from '../../test/support/config.js';
import type { SecretVault } from '../access/secrets/vault.js';
import { validateConfigObject } from '../config/validate.js';
import { silentLogger } from '../shared/logging.js';
import { buildRuntime } from './runtime.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'slipway-k8s-wiring-'));
  await writeFile(
    path.join(dir, 'kubeconfig'),
    'apiVersion: v1\nkind: Config\nclusters: [{ name: a, cluster: { server: "https://127.0.0.1:6443" } }]\n' +
      'users: [{ name: u, user: { token: t } }]\ncontexts: [{ name: c, context: { cluster: a, user: u } }]\n' +
      'current-context: c\n',
  );
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function wiring(kubernetes: Record<string, unknown> | undefined) {
  const raw = rawConfig();
  if (kubernetes) raw.runtime = { kubernetes };
  const config = validateConfigObject(raw, { baseDir: dir });
  return {
    config,
    projects: () => [config],
    secrets: {} as SecretVault, // not read: Slipway's secrets are not sent to the cluster
    instanceLogs: path.join(dir, 'logs'),
    logger: silentLogger,
  };
}

describe('runtime.kubernetes selects the Kubernetes runtime', () => {
  it('with it, instances run on the cluster of the kubeconfig; without it, here', async () => {
    const k8s = await buildRuntime(
      wiring({ namespace: 'shop', image: 'reg/{service}:{version}', kubeconfig: 'kubeconfig' }),
    );
    expect(k8s.name).toBe('kubernetes');
    await k8s.close();
    const local = await buildRuntime(wiring(undefined));
    expect(local.name).toBe('local');
    await local.close();
  });

  it('a context the kubeconfig does not have stops the coordinator with the key path', async () => {
    await expect(
      buildRuntime(wiring({ namespace: 'shop', image: 'reg/x:{version}', kubeconfig: 'kubeconfig', context: 'nope' })),
    ).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/context nope/) });
  });
});
