import { randomBytes } from 'node:crypto';

/** Events and envelopes in the shape the Sentry SDKs send (for ingest tests and the benchmark). */

export interface EventShape {
  type?: string;
  value?: string;
  message?: string;
  release?: string;
  /** Function names, outermost first; all in-app. */
  frames?: string[];
  fingerprint?: string[];
  user?: string;
  handled?: boolean;
  eventId?: string;
  /** Extra bytes of breadcrumbs, to reach a realistic size. */
  padBytes?: number;
}

/** A Node-style event: an exception with a stack trace, release, tags and breadcrumbs. */
export function sentryEvent(s: EventShape): Record<string, unknown> {
  const frames = (s.frames ?? ['main', 'handle']).map((fn, i) => ({
    function: fn,
    filename: `/srv/app/src/${fn}.js`,
    abs_path: `/srv/app/src/${fn}.js`,
    lineno: 10 + i,
    colno: 5,
    in_app: true,
    context_line: `  return ${fn}(request);`,
  }));
  const pad = s.padBytes ?? 0;
  const crumbs = [];
  for (let n = 0; n * 200 < pad; n++)
    crumbs.push({ timestamp: Date.now() / 1000, category: 'http', message: `GET /quotes/${n} ${'x'.repeat(150)}` });
  return {
    event_id: s.eventId ?? randomBytes(16).toString('hex'),
    timestamp: Date.now() / 1000,
    platform: 'node',
    level: 'error',
    release: s.release ?? '1.0.0',
    environment: 'production',
    server_name: 'host-1',
    sdk: { name: 'sentry.javascript.node', version: '10.78.0' },
    tags: { route: '/quotes' },
    ...(s.user ? { user: { id: s.user } } : {}),
    ...(s.fingerprint ? { fingerprint: s.fingerprint } : {}),
    ...(s.message
      ? { message: { message: s.message } }
      : {
          exception: {
            values: [
              {
                type: s.type ?? 'TypeError',
                value: s.value ?? 'cannot read properties of undefined',
                stacktrace: { frames },
                mechanism: { type: 'generic', handled: s.handled ?? true },
              },
            ],
          },
        }),
    breadcrumbs: { values: crumbs },
  };
}

/** An envelope of items (`[type, payload]`), each with its length, as the SDKs write it. */
export function envelopeOf(items: [string, unknown][], header: Record<string, unknown> = {}): Buffer {
  const parts = [JSON.stringify({ sent_at: new Date().toISOString(), ...header })];
  for (const [type, payload] of items) {
    const body = Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload));
    parts.push(JSON.stringify({ type, length: body.length }), body.toString());
  }
  return Buffer.from(`${parts.join('\n')}\n`);
}
