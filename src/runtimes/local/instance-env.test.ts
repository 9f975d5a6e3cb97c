import { describe, expect, it } from 'vitest';
import type { InstanceSpec } from '../runtime.js';
import { buildInstanceEnv, substitutePort } from './instance-env.js';

const spec = {
  instanceId: 'ins_1',
  service: 'quote',
  environment: 'prod',
  release: 'v7',
  env: { GREETING: 'ahoy', PORT: '1', SLIPWAY_RELEASE: 'forged' },
} as unknown as InstanceSpec;

describe('buildInstanceEnv', () => {
  it("withholds Slipway's secrets, adds the release env, and sets Slipway's variables last", () => {
    const parent = {
      PATH: '/usr/bin',
      HOME: '/home/x',
      SLIPWAY_TOKEN: 't',
      SLIPWAY_PROXY_TOKEN: 'p',
      DATABASE_URL: 'postgres://',
      SLIPWAY_MASTER_KEY: 'k',
    };
    expect(buildInstanceEnv(spec, 4321, parent)).toEqual({
      PATH: '/usr/bin',
      HOME: '/home/x',
      GREETING: 'ahoy',
      PORT: '4321',
      SLIPWAY_INSTANCE: 'ins_1',
      SLIPWAY_SERVICE: 'quote',
      SLIPWAY_ENVIRONMENT: 'prod',
      SLIPWAY_RELEASE: 'v7',
    });
  });
});

describe('buildInstanceEnv with secrets', () => {
  it('a secret wins over the release env of the same name, and never over the variables Slipway owns', () => {
    const env = buildInstanceEnv(
      spec,
      4321,
      { PATH: '/usr/bin', DB_PASSWORD: 'inherited' },
      { GREETING: 'from-secret', DB_PASSWORD: 's3cret' },
    );
    expect(env).toMatchObject({
      PATH: '/usr/bin',
      GREETING: 'from-secret',
      DB_PASSWORD: 's3cret',
      PORT: '4321',
      SLIPWAY_RELEASE: 'v7',
    });
  });
});

describe('buildInstanceEnv with variables withheld', () => {
  it("leaves out the coordinator's variables that hold Slipway's own secrets (env:NAME in the config)", () => {
    const parent = { PATH: '/usr/bin', GITHUB_WEBHOOK_SECRET: 'whs', OIDC_SECRET: 'o', APP_MODE: 'x' };
    const env = buildInstanceEnv(spec, 4321, parent, {}, new Set(['GITHUB_WEBHOOK_SECRET', 'OIDC_SECRET']));
    expect(env).toMatchObject({ PATH: '/usr/bin', APP_MODE: 'x' });
    expect(Object.keys(env)).not.toContain('GITHUB_WEBHOOK_SECRET');
    expect(Object.keys(env)).not.toContain('OIDC_SECRET');
  });
});

describe('substitutePort', () => {
  it('replaces every {port} in every argument', () => {
    expect(substitutePort(['serve', '--port={port}', '--url=http://127.0.0.1:{port}/{port}'], 80)).toEqual([
      'serve',
      '--port=80',
      '--url=http://127.0.0.1:80/80',
    ]);
  });
});
