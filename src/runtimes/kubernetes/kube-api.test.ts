import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadKubeConfig } from './kube-api.js';

let dir: string;
let file: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'slipway-kubeconfig-'));
  file = path.join(dir, 'config');
  await writeFile(
    file,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: a',
      '  cluster: { server: "https://127.0.0.1:6443" }',
      '- name: b',
      '  cluster: { server: "https://127.0.0.2:6443" }',
      'users: [{ name: u, user: { token: t } }]',
      'contexts:',
      '- { name: one, context: { cluster: a, user: u } }',
      '- { name: two, context: { cluster: b, user: u } }',
      'current-context: one',
      '',
    ].join('\n'),
  );
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('kubeconfig', () => {
  it("takes the file's current context, or the one named", () => {
    expect(loadKubeConfig({ kubeconfig: file }).getCurrentCluster()?.server).toBe('https://127.0.0.1:6443');
    expect(loadKubeConfig({ kubeconfig: file, context: 'two' }).getCurrentCluster()?.server).toBe(
      'https://127.0.0.2:6443',
    );
  });

  it('a context the file does not have is named in the error', () => {
    expect(() => loadKubeConfig({ kubeconfig: file, context: 'three' })).toThrow(
      expect.objectContaining({ code: 'invalid_input', message: expect.stringMatching(/context three/) }),
    );
  });
});
