import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judge, defaultJudgeSettings } from '../src/judge/judge.js';
import { RumSignalSource } from '../src/signals/rum/rum-source.js';
import { ProxyRouter } from '../src/traffic/proxy/proxy-router.js';
import {
  freePort,
  oneRoute,
  releaseSet,
  removeDir,
  send,
  spawnProxy,
  startUpstream,
  tempDir,
  waitFor,
  type ProxyProcess,
  type TestUpstream,
} from './proxy-support.js';

/**
 * RUM end to end through the proxy as its own process: page views of two live releases beacon
 * to /.slipway/rum, the instance behind the route never sees a beacon, and the canary judge,
 * reading them through the admin API, fails a candidate whose pages are slow and throw.
 */
let app: TestUpstream;
let next: TestUpstream;
let proxy: ProxyProcess;
let stateDir: string;
let router: ProxyRouter;
let listen: number;

beforeAll(async () => {
  app = await startUpstream('web-1');
  next = await startUpstream('web-2');
  stateDir = await tempDir();
  const admin = `127.0.0.1:${await freePort()}`;
  proxy = spawnProxy(['--admin', admin, '--state-dir', stateDir]);
  await waitFor(() => readFile(path.join(stateDir, 'admin-token')).then(() => true), 'the token file', 30_000);
  router = new ProxyRouter({ admin, token: (await readFile(path.join(stateDir, 'admin-token'), 'utf8')).trim() });
  await waitFor(() => router.healthy(), 'the proxy to be healthy', 30_000);
  listen = await freePort();
  await router.apply(
    oneRoute('harbor.staging', listen, [
      releaseSet('1.0.0', 'stable', 90, [app]),
      releaseSet('2.0.0', 'candidate', 10, [next]),
    ]),
  );
}, 60_000);
afterAll(async () => {
  await router?.close();
  await proxy?.kill();
  await app?.close();
  await next?.close();
  await removeDir(stateDir);
});

const beacon = (body: object) =>
  send(`http://127.0.0.1:${listen}/.slipway/rum`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain;charset=UTF-8' },
    body: JSON.stringify(body),
  });

describe('RUM beacons through the proxy process', () => {
  it('a slow, throwing candidate frontend fails the judge on lcpP75 and jsErrorRate', async () => {
    const start = Date.now();
    const statuses = new Set<number>();
    for (let i = 0; i < 40; i++) {
      // Stable: LCP 1.2–2.0 s, no errors. Candidate: LCP 3–4 s, every other view throws twice.
      statuses.add((await beacon({ release: '1.0.0', name: 'LCP', value: 1200 + 20 * i, id: `s-${i}` })).status);
      statuses.add((await beacon({ release: '2.0.0', name: 'LCP', value: 3000 + 25 * i, id: `c-${i}` })).status);
      if (i % 2 === 0)
        for (let k = 0; k < 2; k++)
          statuses.add((await beacon({ release: '2.0.0', name: 'error', id: `c-view-${i}` })).status);
    }
    expect([...statuses]).toEqual([204]);
    expect(app.requests + next.requests).toBe(0);

    const source = new RumSignalSource({ router, environment: 'harbor.staging', service: 'quote-api' });
    const measurements = await source.measure({
      project: 'harbor',
      service: 'quote-api',
      environment: 'staging',
      stable: '1.0.0',
      candidate: '2.0.0',
      from: start,
      to: Date.now() + 1,
      baselineUntil: start,
    });
    expect(measurements).toMatchObject([
      { kind: 'rum', candidate: { pageViews: 40, errorViews: 20 }, stable: { pageViews: 40, errorViews: 0 } },
    ]);
    const verdict = judge({ measurements, settings: defaultJudgeSettings, now: Date.now(), final: false });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.metrics.map((m) => [m.metric, m.classification, m.conclusive])).toEqual([
      ['lcpP75', 'high', true],
      ['jsErrorRate', 'high', true],
    ]);
    expect(verdict.metrics[1]!.message).toMatch(
      /^js-errors\.rate: candidate 50 % \(20 of 40 page views\) vs stable 0 %/,
    );
  });
});
