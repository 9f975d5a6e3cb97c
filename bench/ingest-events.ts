import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { envelopeOf, sentryEvent } from '../test/support/sentry-envelopes.js';

/**
 * What an SDK fleet sends: one event per gzip envelope (as @sentry/node and sentry-python do),
 * 5–50 KB of JSON each (stack traces of 8–30 frames, breadcrumbs of varied text that compresses
 * like real logs, not like padding), spread over many issues and releases.
 */
export function benchEnvelopes(count: number, issues: number, releases: number, random: () => number): Buffer[] {
  const words = Array.from({ length: 400 }, () => randomBytes(3 + Math.floor(random() * 6)).toString('base64url'));
  const sentence = (n: number) => Array.from({ length: n }, () => words[Math.floor(random() * words.length)]).join(' ');
  const issueLines = Array.from({ length: issues }, () => sentence(5));
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const issue = Math.floor(random() * issues);
    const depth = 8 + (issue % 23);
    const event = sentryEvent({
      type: `Issue${issue}Error`,
      // The first line names the bug (it groups); the detail of each occurrence goes below it.
      value: `failed to price quote: ${issueLines[issue]}\nquote ${Math.floor(random() * 1e6)}: ${sentence(4)}`,
      release: `1.${Math.floor(random() * releases)}.0`,
      frames: Array.from({ length: depth }, (_, f) => `fn${issue}_${f}`),
      user: `user-${Math.floor(random() * 5000)}`,
      handled: random() < 0.7,
    });
    const targetBytes = 5_000 + Math.floor(random() * 45_000);
    const crumbs: unknown[] = [];
    let size = JSON.stringify(event).length;
    while (size < targetBytes) {
      const crumb = { timestamp: Date.now() / 1000, category: 'http', message: sentence(12), data: { status: 200 } };
      size += JSON.stringify(crumb).length + 1;
      crumbs.push(crumb);
    }
    event.breadcrumbs = { values: crumbs };
    out.push(gzipSync(envelopeOf([['event', event]], { event_id: event.event_id })));
  }
  return out;
}
