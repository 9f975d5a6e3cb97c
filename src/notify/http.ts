/**
 * One HTTP request to a receiver, its answer classified as sent / retry / failed. undici's request(), not fetch():
 * fetch wraps every answer in WHATWG streams, AbortSignals and Request objects, and in a burst of 5,000 deliveries
 * that was a third of the coordinator thread's busy time (bench:notify, --cpu-prof: 2.9 of 9.2 s). Redirects are not
 * followed: a receiver that answers 3xx is reported with its answer, not sent somewhere else.
 */
import { request as undiciRequest } from 'undici';
import { messageOf } from '../shared/errors.js';
import type { SendOutcome } from './sender.js';

/** Statuses that say "later", not "never". */
const retryable = new Set([408, 425, 429]);

export interface HttpAnswer {
  status: number;
  body: string;
  /** The answer's Retry-After (seconds or an HTTP date) and Location headers, when it had them. */
  retryAfter?: string;
  location?: string;
}

/** The first value of a header undici gives as a string or a list. */
const headerValue = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/**
 * How long a Retry-After asks to wait, in ms from `now`: delay-seconds or an HTTP date (RFC 9110 §10.2.3); undefined
 * when absent or unreadable. A date in the past is no wait.
 */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
  const v = value?.trim();
  if (!v) return undefined;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * A URL with credentials in it (`https://user:pass@host/…`) as the URL without them and the Basic authorization they
 * stand for: undici sends no credentials from a URL, and a receiver that needs them answered 401 with nothing saying
 * why.
 */
function withoutCredentials(url: string): { url: string; authorization?: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { url };
  }
  if (!parsed.username && !parsed.password) return { url };
  const pair = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
  parsed.username = '';
  parsed.password = '';
  return { url: parsed.toString(), authorization: `Basic ${Buffer.from(pair).toString('base64')}` };
}

/** Send a request; the answer (any status) or a retry outcome when there was none. */
export async function request(
  url: string,
  init: { method?: string; headers: Record<string, string>; body?: string; signal: AbortSignal },
): Promise<HttpAnswer | SendOutcome> {
  try {
    const target = withoutCredentials(url);
    const res = await undiciRequest(target.url, {
      method: (init.method ?? 'POST') as 'POST',
      headers: target.authorization ? { authorization: target.authorization, ...init.headers } : init.headers,
      ...(init.body === undefined ? {} : { body: init.body }),
      signal: init.signal,
    });
    const retryAfter = headerValue(res.headers['retry-after']);
    const location = headerValue(res.headers.location);
    return {
      status: res.statusCode,
      body: (await res.body.text()).slice(0, 2000),
      ...(retryAfter ? { retryAfter } : {}),
      ...(location ? { location } : {}),
    };
  } catch (e) {
    const cause = (e as { cause?: unknown }).cause;
    const why = init.signal.aborted ? 'timed out' : `${messageOf(e)}${cause ? `: ${messageOf(cause)}` : ''}`;
    return { kind: 'retry', error: `no answer: ${why}` };
  }
}

/**
 * 2xx is sent; 5xx, 408, 425 and 429 are retried (after the receiver's Retry-After, when it gives one); other answers
 * fail for good, with what the receiver said and, for a redirect, where it pointed (the worker scrubs URLs).
 */
export function classify(answer: HttpAnswer | SendOutcome): SendOutcome {
  if ('kind' in answer) return answer;
  const { status, body } = answer;
  if (status >= 200 && status < 300) return { kind: 'sent', status };
  // The Location last, followed by a space at most: the scrub takes a URL up to the next space, quote or bracket.
  const to = status >= 300 && status < 400 && answer.location ? `, Location: ${answer.location}` : '';
  const error = `HTTP ${status}${body.trim() ? `: ${body.trim().slice(0, 300)}` : ''}${to}`;
  if (status < 500 && !retryable.has(status)) return { kind: 'failed', status, error };
  const wait = retryAfterMs(answer.retryAfter);
  return { kind: 'retry', status, error, ...(wait === undefined ? {} : { retryAfterMs: wait }) };
}

/** POST JSON with the idempotency key as a header (receivers that dedup read it). */
export async function postJson(
  url: string,
  body: unknown,
  key: string,
  signal: AbortSignal,
  headers: Record<string, string> = {},
): Promise<SendOutcome> {
  return classify(
    await request(url, {
      headers: { 'content-type': 'application/json', 'idempotency-key': key, ...headers },
      body: JSON.stringify(body),
      signal,
    }),
  );
}
