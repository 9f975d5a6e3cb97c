import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Receiver, startReceiver } from './support/notify-receivers.js';
import { until } from './support/processes.js';
import { System } from './support/system.js';

/**
 * A delivery that fails for good, seen as its users see it: `slipway notifications --failed` (table and JSON) and
 * the attempt counter at /metrics, on a real coordinator with one endpoint that refuses (404) and one that takes it.
 */
let system: System;
let ok: Receiver;
let refusing: Receiver;

interface Listed {
  notifications: {
    id: number;
    target: string;
    state: string;
    attempts: number;
    maxAttempts?: number;
    lastStatus?: number;
    lastError?: string;
    createdAt: string;
    lastAttemptAt?: string;
  }[];
}

beforeAll(async () => {
  [ok, refusing] = await Promise.all([startReceiver('slack'), startReceiver('slack')]);
  refusing.mode.status = 404;
  system = await System.start({
    instances: 1,
    // The coordinator's own secret in its environment (read at each GitHub delivery): not for its instances.
    env: { SLIPWAY_TEST_HOOK_SECRET: 'the-coordinator-s-own' },
    extraTopLevel: [
      'triggers:',
      '  github: { secret: env:SLIPWAY_TEST_HOOK_SECRET, rules: [{ branch: main, environment: staging }] }',
      'notifications:',
      '  services:',
      '    chat: { type: slack, url: secret:CHAT_URL }',
      '    gone: { type: slack, url: secret:GONE_URL }',
      '  subscriptions:',
      '    - { on: [on-deployment-started], to: [chat, gone], environments: [staging] }',
    ].join('\n'),
  });
  for (const [name, value] of [
    ['CHAT_URL', ok.url],
    ['GONE_URL', refusing.url],
    ['APP_TOKEN', 'the-application-s-own'],
  ]) {
    await system.client.call('PUT', `/api/v1/projects/${system.project}/environments/staging/secrets/${name}`, {
      value,
    });
  }
}, 120_000);

afterAll(async () => {
  await system?.close();
  await Promise.all([ok?.close(), refusing?.close()]);
}, 120_000);

describe('a notification that failed for good', () => {
  it('is listed by notifications --failed with its answer, and counted at /metrics', async () => {
    const d = await system.deploy('1.0.0');
    const listed = await until('one sent and one failed', async () => {
      const r = await system.client.call<Listed>('GET', `/api/v1/projects/${system.project}/notifications`);
      const states = r.notifications.map((n) => `${n.target}:${n.state}`).sort();
      return states.join() === 'chat:sent,gone:failed' ? r : undefined;
    });
    expect((await system.finish(d.id)).state).toBe('succeeded');
    const failed = listed.notifications.find((n) => n.target === 'gone')!;
    // A 404 is not retried: failed at the first attempt, with the receiver's answer and what to do (the secret's name).
    const lastError =
      'HTTP 404: refused on purpose — the URL is no longer there: ' +
      'check secret GONE_URL (notifications.services.gone.url)';
    expect(failed).toMatchObject({ attempts: 1, maxAttempts: 10, lastStatus: 404, lastError });
    expect(Date.parse(failed.lastAttemptAt ?? '')).toBeGreaterThan(Date.parse(failed.createdAt) - 1000);

    const table = await system.cli(['notifications', '--failed']);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('gone (slack)');
    expect(table.stdout).toMatch(new RegExp(`#${failed.id} failed \\d+s ago after 1 try: `));
    expect(table.stdout).toContain(lastError);
    expect(table.stdout).not.toContain('chat (slack)');
    const json = await system.cli(['notifications', '--failed', '--json']);
    expect(JSON.parse(json.stdout).notifications).toEqual([
      expect.objectContaining({ id: failed.id, state: 'failed', target: 'gone' }),
    ]);
    expect(JSON.stringify(JSON.parse(json.stdout))).not.toContain(refusing.url);

    const res = await fetch(`http://127.0.0.1:${system.workspace.ports.coordinator}/metrics`, {
      headers: { authorization: `Bearer ${system.token}` },
    });
    const metrics = await res.text();
    expect(metrics).toMatch(/slipway_notification_attempts_total\{type="slack",outcome="failed"\} 1\n/);
    expect(metrics).toMatch(/slipway_notification_attempts_total\{type="slack",outcome="sent"\} 1\n/);
    expect(metrics).toMatch(/slipway_notifications\{type="slack",state="failed"\} 1\n/);
    expect(refusing.received).toHaveLength(0);
    expect(ok.received).toHaveLength(1);

    // The cause fixed (the receiver accepts now): `slipway notifications retry ID` sends it again.
    refusing.mode.status = undefined;
    const retried = await system.cli(['notifications', 'retry', String(failed.id)]);
    expect([retried.code, retried.stdout]).toEqual([
      0,
      `#${failed.id} to gone (slack) will be sent again now (up to 10 attempts)\n`,
    ]);
    await until('the retried delivery sent', async () => {
      const r = await system.client.call<Listed>('GET', `/api/v1/projects/${system.project}/notifications`);
      return r.notifications.find((n) => n.id === failed.id && n.state === 'sent');
    });
    expect(refusing.received).toHaveLength(1);
    const again = await system.cli(['notifications', 'retry', String(failed.id)]);
    expect(again.code).toBe(5);
    expect(again.stderr).toContain(`notification delivery ${failed.id} is sent, not failed`);
  });

  it("keeps Slipway's own secrets out of the instances; the application's own reach them", async () => {
    const { instances } = await system.client.call<{ instances: { pid: number | null; desired: string }[] }>(
      'GET',
      '/api/v1/instances?environment=staging',
    );
    const pid = instances.find((i) => i.desired === 'running' && i.pid !== null)!.pid!;
    const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    expect(environ).toContain('APP_TOKEN=the-application-s-own');
    expect(environ.filter((e) => /^(CHAT_URL|GONE_URL|SLIPWAY_TEST_HOOK_SECRET)=/.test(e))).toEqual([]);
  });
});
