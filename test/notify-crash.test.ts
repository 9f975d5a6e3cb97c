import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Receiver, startReceiver } from './support/notify-receivers.js';
import { until } from './support/processes.js';
import { System } from './support/system.js';

/**
 * A real coordinator process is SIGKILLed while it sends a notification (the receiver holds the
 * request open): after the restart the same delivery is sent again with the same idempotency key,
 * so the receiver gets it at least once and can drop the copy; the deployment finishes meanwhile.
 */
const secret = `whsec_${Buffer.from('crash-test-signing-secret-32byte').toString('base64')}`;
let system: System;
let hook: Receiver;

beforeAll(async () => {
  hook = await startReceiver('webhook', { secret, hang: true });
  system = await System.start({
    store: 'embedded',
    instances: 1,
    extraTopLevel: [
      'notifications:',
      '  services:',
      '    audit: { type: webhook, url: secret:AUDIT_URL, secret: secret:AUDIT_SECRET }',
      '  subscriptions:',
      '    - { on: [on-deployment-started, on-deployment-succeeded], to: [audit], environments: [staging] }',
    ].join('\n'),
  });
  for (const [name, value] of [
    ['AUDIT_URL', hook.url],
    ['AUDIT_SECRET', secret],
  ]) {
    await system.client.call('PUT', `/api/v1/projects/${system.project}/environments/staging/secrets/${name}`, {
      value,
    });
  }
}, 120_000);

afterAll(async () => {
  await system?.close();
  await hook?.close();
}, 120_000);

interface Listed {
  notifications: { key: string; trigger: string; state: string; attempts: number; target: string }[];
}

describe('notifications across a coordinator crash', () => {
  it('SIGKILL mid-send: the restarted coordinator sends it again with the same key', async () => {
    const d = await system.deploy('1.0.0');
    const hungKey = await until('the receiver to hold the first send', () => hook.requests[0], 30_000, 20);
    await system.killCoordinator();
    hook.mode.hang = false;
    await system.startCoordinator();

    await until('the started notification after the restart', () =>
      hook.received.find((r) => r.key === hungKey) ? true : undefined,
    );
    expect((await system.finish(d.id)).state).toBe('succeeded');
    const started = hook.received.find((r) => r.key === hungKey)!;
    expect(started.body).toMatchObject({ type: 'deployment.started', data: { environment: 'staging' } });
    expect(hook.rejected).toEqual([]); // every copy carried a valid Standard Webhooks signature

    const listed = await until('both deliveries sent', async () => {
      const r = await system.client.call<Listed>('GET', `/api/v1/projects/${system.project}/notifications`);
      return r.notifications.length === 2 && r.notifications.every((n) => n.state === 'sent') ? r : undefined;
    });
    const first = listed.notifications.find((n) => n.key === hungKey)!;
    expect(first).toMatchObject({ trigger: 'on-deployment-started', target: 'audit', attempts: 2 });
    expect(new Set(hook.received.map((r) => r.key)).size).toBe(hook.received.length);

    const cli = await system.cli(['notifications', '--json']);
    expect(cli.code).toBe(0);
    expect(JSON.parse(cli.stdout).notifications).toHaveLength(2);
    const failed = await system.cli(['notifications', '--failed']);
    expect(failed.stdout).toBe('no failed notifications\n');

    const res = await fetch(`http://127.0.0.1:${system.workspace.ports.coordinator}/metrics`, {
      headers: { authorization: `Bearer ${system.token}` },
    });
    const metrics = await res.text();
    expect(metrics).toMatch(/slipway_notifications\{type="webhook",state="sent"\} 2/);
  });
});
