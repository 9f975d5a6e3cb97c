import { type AdminApi, adminApi } from '../../test/support/api-harness.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** Incident titles and notes with control characters are refused where they come in, naming the field. */
let api: AdminApi;

beforeAll(async () => {
  api = await adminApi();
}, 60_000);
afterAll(async () => {
  await api?.close();
});

const post = (url: string, payload: unknown) =>
  api.app.inject({
    method: 'POST',
    url,
    payload: payload as object,
    headers: { authorization: `Bearer ${api.admin}` },
  });
const open = (title: string) => post('/api/v1/projects/harbor/incidents', { environment: 'staging', title });

describe('control characters in incident text', () => {
  it('a title with an escape sequence or a newline is a 400 naming body.title', async () => {
    for (const title of ['evil \u001b[31mRED\u001b[0m title', 'first line\nsecond line', 'csi \u009b2J']) {
      const res = await open(title);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.message).toMatch(/^body\.title: must be one line of text without control characters/);
    }
  });

  it('a note keeps newlines and tabs but not escape sequences', async () => {
    const opened = await open('quotes time out');
    expect(opened.statusCode).toBe(201);
    const notes = `/api/v1/incidents/${opened.json().incident.id}/notes`;
    expect((await post(notes, { text: 'saw 502s\n\tfrom the proxy' })).statusCode).toBe(201);
    const refused = await post(notes, { text: 'saw \u001b[2J502s' });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.message).toMatch(/^body\.text: must not contain control characters/);
  });
});

describe('invisible characters in incident text', () => {
  it('a title, note, resolution or owner with a bidi control or zero-width character is a 400 naming it', async () => {
    for (const [c, name] of [
      ['\u202e', 'U+202E (RIGHT-TO-LEFT OVERRIDE)'],
      ['\u200b', 'U+200B (ZERO WIDTH SPACE)'],
      ['\ufeff', 'U+FEFF'],
      ['\u2066', 'U+2066'],
    ] as const) {
      const res = await open(`bidi ${c} gnirts`);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.message).toContain(`body.title: contains ${name}`);
    }
    const opened = await open('quotes time out');
    const id = opened.json().incident.id;
    const note = await post(`/api/v1/incidents/${id}/notes`, { text: 'first\nsecond \u202d line' });
    expect(note.statusCode).toBe(400);
    expect(note.json().error.message).toContain('body.text: contains U+202D (LEFT-TO-RIGHT OVERRIDE)');
    const ack = await post(`/api/v1/incidents/${id}/acknowledge`, { owner: 'da\u2060na' });
    expect(ack.statusCode).toBe(400);
    expect(ack.json().error.message).toContain('body.owner: contains U+2060 (WORD JOINER)');
    const resolve = await post(`/api/v1/incidents/${id}/resolve`, { resolution: 'fixed \u200f' });
    expect(resolve.statusCode).toBe(400);
    expect(resolve.json().error.message).toContain('body.resolution: contains U+200F (RIGHT-TO-LEFT MARK)');
  });

  it('emoji joined by U+200D are kept', async () => {
    const res = await open('on call: 👩\u200d💻 is looking');
    expect(res.statusCode).toBe(201);
    expect(res.json().incident.title).toBe('on call: 👩\u200d💻 is looking');
  });
});
