/**
 * The extension point every notification service implements (one folder each: slack/, teams/,
 * email/, webhook/, pagerduty/). Senders never throw for what the receiver did: a refusal, a
 * timeout or a dead endpoint is an outcome the worker records and retries or gives up on.
 */
import type { NotificationMessage } from './message.js';

/** A notification service's config with every secret name replaced by its value (only in memory, while sending). */
export type ResolvedService = Record<string, unknown> & { type: string };

/** What a service answered that later messages of the same thing need (a Jira issue key per incident). */
export interface RefStore {
  get(refKey: string): Promise<string | undefined>;
  set(refKey: string, value: string): Promise<void>;
}

export interface SendRequest {
  message: NotificationMessage;
  /** The idempotency key: the same for every attempt of one delivery, so the receiver can drop copies. */
  key: string;
  service: ResolvedService;
  /** Aborts at the configured timeout (or when the coordinator stops). */
  signal: AbortSignal;
  refs: RefStore;
}

/**
 * sent: done (`note`: what the receiver made of it, e.g. the Jira issue created; `skipped`: the
 * service had nothing to do for this event, e.g. a deployment not triggered by a push for GitHub).
 * retry: try again later (5xx, 408, 429, timeout, no connection). failed: never (other 4xx).
 */
export type SendOutcome =
  | { kind: 'sent'; status?: number; note?: string; skipped?: string }
  /** `retryAfterMs`: the receiver's Retry-After, the least wait before the next try (crosses the send thread). */
  | { kind: 'retry'; status?: number; error: string; retryAfterMs?: number }
  | { kind: 'failed'; status?: number; error: string };

export interface NotificationSender {
  /** Send one message once. May block until `signal` aborts; must not throw for the receiver's behaviour. */
  send(request: SendRequest): Promise<SendOutcome>;
}
