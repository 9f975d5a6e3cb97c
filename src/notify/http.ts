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
}

/** Send a request; the answer (any status) or a retry outcome when there was none. */
export async function request(
  url: string,
  init: { method?: string; headers: Record<string, string>; body?: string; signal: AbortSignal },
): Promise<HttpAnswer | SendOutcome> {
  try {
    const res = await undiciRequest(url, {
      method: (init.method ?? 'POST') as 'POST',
      headers: init.headers,
      ...(init.body === undefined ? {} : { body: init.body }),
      signal: init.signal,
    });
    return { status: res.statusCode, body: (await res.body.text()).slice(0, 2000) };
  } catch (e) {
    const cause = (e as { cause?: unknown }).cause;
    const why = init.signal.aborted ? 'timed out' : `${messageOf(e)}${cause ? `: ${messageOf(cause)}` : ''}`;
    return { kind: 'retry', error: `no answer: ${why}` };
  }
}

/** 2xx is sent; 5xx, 408, 425 and 429 are retried; other answers fail for good, with what the receiver said. */
export function classify(answer: HttpAnswer | SendOutcome): SendOutcome {
  if ('kind' in answer) return answer;
  const { status, body } = answer;
  if (status >= 200 && status < 300) return { kind: 'sent', status };
  const error = `HTTP ${status}${body.trim() ? `: ${body.trim().slice(0, 300)}` : ''}`;
  return status >= 500 || retryable.has(status) ? { kind: 'retry', status, error } : { kind: 'failed', status, error };
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
