/** One HTTP request to a receiver, its answer classified as sent / retry / failed. */
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
    const res = await fetch(url, {
      method: init.method ?? 'POST',
      headers: init.headers,
      body: init.body,
      signal: init.signal,
    });
    return { status: res.status, body: (await res.text()).slice(0, 2000) };
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
