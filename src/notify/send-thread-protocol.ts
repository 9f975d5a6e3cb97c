/** Messages between the delivery worker and its send thread (send-thread.ts, send-thread-main.ts). */
import type { NotificationMessage } from './message.js';
import type { ResolvedService, SendOutcome } from './sender.js';

/** Notification service types whose senders run in the send thread: they need nothing from the store (refs). */
export const offThreadTypes: ReadonlySet<string> = new Set(['slack', 'teams', 'webhook', 'pagerduty', 'email']);

export type SendThreadRequest =
  | {
      op: 'send';
      id: number;
      type: string;
      message: NotificationMessage;
      key: string;
      service: ResolvedService;
      timeoutMs: number;
    }
  /** The coordinator stops: end the attempt now (its outcome says why). */
  | { op: 'cancel'; id: number };

export interface SendThreadAnswer {
  id: number;
  outcome: SendOutcome;
}
