import { describe, expect, it } from 'vitest';
import { isControl } from './output.js';
import { type IssueView, type LatestView, renderIssue, renderIssues } from './render-errors.js';

/** A control character other than the newlines that separate the lines of the output. */
const hasControl = (text: string) => [...text].some((c) => c !== '\n' && isControl(c.charCodeAt(0)));

const now = Date.parse('2026-12-06T12:00:00Z');
const issue: IssueView = {
  id: 'iss_01',
  title: 'SurchargeError: no surcharge for tanker',
  culprit: 'priceWithFallback (src/price.js:40)',
  level: 'error',
  unhandled: false,
  status: 'unresolved',
  firstSeen: '2026-12-06T11:58:00Z',
  lastSeen: '2026-12-06T11:59:00Z',
  firstRelease: '2.0.0',
  events: 3,
  users: 1,
  newInRelease: true,
  regressed: false,
  regressedRelease: null,
  counts: [
    { release: '2.0.0', environment: 'staging', events: 3, users: 1, lastSeen: '2026-12-06T11:59:00Z', new: true },
  ],
};
const latest = (tags: Record<string, unknown>, o: Partial<LatestView> = {}): LatestView => ({
  eventId: 'e'.repeat(32),
  environment: 'staging',
  release: '2.0.0',
  receivedAt: '2026-12-06T11:59:00Z',
  level: 'error',
  message: null,
  exceptions: [
    {
      type: 'SurchargeError',
      value: 'no surcharge for tanker',
      handled: true,
      frames: [{ function: 'priceWithFallback', filename: 'src/price.js', lineno: 40, inApp: true }],
    },
  ],
  tags,
  sdk: 'sentry.javascript.node',
  ...o,
});

describe('slipway errors show', () => {
  it("prints the latest event's tags, one per line, sorted by name; values that are not text as JSON", () => {
    const out = renderIssue(
      issue,
      latest({ route: '/quotes', 'browser.name': 'Firefox 133', handled: false, build: { sha: 'abc' } }),
      now,
    );
    const tags = out.slice(out.indexOf('\nTAG'));
    expect(tags.split('\n').filter(Boolean)).toEqual([
      'TAG           VALUE',
      'browser.name  Firefox 133',
      'build         {"sha":"abc"}',
      'handled       false',
      'route         /quotes',
    ]);
    expect(out).toMatch(/^SurchargeError: no surcharge for tanker {2}new$/m);
    expect(out).toContain('  at priceWithFallback (src/price.js:40)');
    expect(renderIssue(issue, latest({}), now)).not.toContain('TAG');
  });

  it('shows what an SDK sent as text: control characters escaped, never sent to the terminal', () => {
    // Anyone with the DSN (a browser app ships it) can send these; an escape sequence could rewrite the screen.
    const hostile = 'x\u001b[2J\u001b]0;pwned\u0007\nforged line\u009b';
    const out = renderIssue(
      { ...issue, title: `Boom: ${hostile}`, culprit: hostile },
      latest(
        { [hostile]: hostile },
        {
          message: hostile,
          exceptions: [
            {
              type: hostile,
              value: hostile,
              handled: null,
              frames: [{ function: hostile, filename: hostile, lineno: 1, inApp: true }],
            },
          ],
        },
      ),
      now,
    );
    expect(hasControl(out)).toBe(false);
    expect(out).not.toContain('\nforged line');
    expect(out).toContain('x\\u001b[2J\\u001b]0;pwned\\u0007\\nforged line\\u009b');
    const list = renderIssues([{ ...issue, title: `Boom: ${hostile}` }], now);
    expect(hasControl(list)).toBe(false);
    expect(list.trimEnd().split('\n')).toHaveLength(2);
  });
});
