import type { FastifyInstance } from 'fastify';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApi } from '../../test/support/api-harness.js';
import { engineHarness, type Harness } from '../../test/support/engine-harness.js';
import { hashToken, generateToken, ensureAdminToken } from './auth.js';
import { insertToken } from '../store/repos/tokens.js';
import { newId } from '../shared/ids.js';
import { appendEvent, lastEventId } from '../store/repos/events.js';

/** GET /api/v1/events as server-sent events: backlog, live events, Last-Event-ID, only what the caller may view. */
let h: Harness;
let app: FastifyInstance;
let base: string;
const admin = generateToken();
const stagingViewer = generateToken();

beforeAll(async () => {
  h = await engineHarness();
  await ensureAdminToken(h.db, admin);
  await insertToken(h.db, {
    id: newId('tok'),
    name: 'staging-viewer',
    hash: hashToken(stagingViewer),
    grants: [{ role: 'viewer', environments: ['staging'] }],
  });
  h.runtime.behaviour = () => 'healthy';
  app = await testApi(h);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}, 60_000);
afterAll(async () => {
  await app?.close();
  await h?.close();
});

/** Read frames from the stream until `enough` says stop; returns the frames' ids and kinds. */
async function read(
  token: string,
  headers: Record<string, string>,
  enough: (ids: number[]) => boolean,
  /** The frames' SSE ids as sent (the event's own id is in its data). */
  sseIds: string[] = [],
) {
  const controller = new AbortController();
  const res = await request(`${base}/api/v1/events?project=harbor`, {
    headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream', ...headers },
    signal: controller.signal,
  });
  expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
  const frames: { id: number; kind: string; environment: string | null }[] = [];
  let buffer = '';
  const deadline = setTimeout(() => controller.abort(), 10_000);
  try {
    for await (const chunk of res.body) {
      buffer += chunk.toString();
      let cut = buffer.indexOf('\n\n');
      while (cut >= 0) {
        const frame = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const id = /^id: (\d+)$/m.exec(frame)?.[1];
        const data = /^data: (.*)$/m.exec(frame)?.[1];
        if (id && data) {
          sseIds.push(id);
          frames.push({ id: Number(id), ...JSON.parse(data) });
        }
        cut = buffer.indexOf('\n\n');
      }
      if (enough(frames.map((f) => f.id))) break;
    }
  } finally {
    clearTimeout(deadline);
    controller.abort();
  }
  return frames;
}

describe('GET /api/v1/events as a stream', () => {
  it('sends the backlog, then live events; resumes after Last-Event-ID without repeating one', async () => {
    const first = await h.engine.deploy({
      project: 'harbor',
      service: 'api',
      environment: 'staging',
      version: '1.0.0',
    });
    await h.waitFinished(first.id);
    const stored = (
      await app.inject({ url: '/api/v1/events?project=harbor', headers: { authorization: `Bearer ${admin}` } })
    ).json().events as { id: number }[];
    const backlog = await read(admin, {}, (ids) => ids.length >= stored.length);
    expect(backlog.map((f) => f.id)).toEqual(stored.map((e) => e.id));

    const lastSeen = stored.at(-1)!.id;
    const live = read(admin, { 'last-event-id': String(lastSeen) }, (ids) => ids.length >= 3);
    await new Promise((r) => setTimeout(r, 200));
    const second = await h.engine.deploy({
      project: 'harbor',
      service: 'api',
      environment: 'staging',
      version: '2.0.0',
    });
    const frames = await live;
    expect(frames[0]!.id).toBe(lastSeen + 1);
    expect(new Set(frames.map((f) => f.id)).size).toBe(frames.length);
    expect(frames.every((f) => f.id > lastSeen)).toBe(true);
    await h.waitFinished(second.id);
  });

  it('sends an event handed over late, after one with a higher id, once; the SSE id stays the highest', async () => {
    const note = { project: 'harbor', service: 'api', environment: 'staging', data: {} };
    let started = false;
    let ids: { direct: number; emitted: number } | undefined;
    // Once the stream is live (its first event arrived): one event written straight into the store, which only the
    // EventLog's tail hands over (≤ 500 ms later), then one emitted, handed over at once with a higher id.
    const writeBoth = async () => {
      const direct = await appendEvent(h.db, { ...note, kind: 'deployment.note', message: 'written in a change' });
      const emitted = await h.events.emit({ ...note, kind: 'deployment.note', message: 'emitted' });
      ids = { direct: direct.id, emitted: emitted!.id };
    };
    const last = await lastEventId(h.db);
    const marker = await h.events.emit({ ...note, kind: 'deployment.note', message: 'marker' });
    const raw: string[] = [];
    const frames = await read(
      admin,
      { 'last-event-id': String(last) },
      (seen) => {
        if (!started && seen.includes(marker!.id)) {
          started = true;
          void writeBoth();
        }
        return ids !== undefined && seen.includes(ids.direct) && seen.includes(ids.emitted);
      },
      raw,
    );
    const got = frames.map((f) => f.id);
    expect(got).toContain(ids!.direct);
    expect(got).toContain(ids!.emitted);
    expect(new Set(got).size).toBe(got.length);
    // The frame of the late event names the highest id sent: a reconnect after it repeats nothing. (Another event may
    // come in the same stream, e.g. the previous test's deployment's watch starting: the highest is of all sent.)
    expect(Math.max(...raw.map(Number))).toBe(Math.max(...got));
    expect(Math.max(...got)).toBeGreaterThanOrEqual(Math.max(ids!.direct, ids!.emitted));
    expect(raw.map(Number)).toEqual([...raw.map(Number)].sort((a, b) => a - b));
  });

  it('shows a token only the environments it may view', async () => {
    const d = await h.engine.deploy({ project: 'harbor', service: 'api', environment: 'production', version: '1.0.0' });
    await h.waitFinished(d.id);
    const all = (
      await app.inject({ url: '/api/v1/events?project=harbor', headers: { authorization: `Bearer ${admin}` } })
    ).json().events as { environment: string | null }[];
    const stagingCount = all.filter((e) => e.environment === 'staging').length;
    const frames = await read(stagingViewer, {}, (ids) => ids.length >= stagingCount);
    expect(frames.length).toBe(stagingCount);
    expect(frames.every((f) => f.environment === 'staging')).toBe(true);
  });

  it('refuses a Last-Event-ID that is not an event id, before the stream starts', async () => {
    const res = await app.inject({
      url: '/api/v1/events',
      headers: { authorization: `Bearer ${admin}`, accept: 'text/event-stream', 'last-event-id': 'abc' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/last-event-id: "abc" is not an event id/);
  });
});
