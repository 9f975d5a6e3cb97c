/**
 * Entry point of the thread that sends notifications (send-thread.ts starts it). Building each payload, the HTTP
 * or SMTP exchange and its timers were half of the coordinator thread's busy time in a burst of deliveries
 * (bench:notify), and a deployment's steps waited for that thread. Here they wait for nothing of the coordinator's.
 * Each attempt ends with an outcome, never a throw: the delivery worker records it as it would its own.
 */
import { setMaxListeners } from 'node:events';
import { parentPort } from 'node:worker_threads';
import { deadline } from '../shared/deadline.js';
import { messageOf } from '../shared/errors.js';
import { lowerThisThread } from '../shared/thread-priority.js';
import { emailSender } from './email/index.js';
import { pagerDutySender } from './pagerduty/index.js';
import type { NotificationSender, RefStore, SendOutcome } from './sender.js';
import type { SendThreadAnswer, SendThreadRequest } from './send-thread-protocol.js';
import { slackSender } from './slack/index.js';
import { teamsSender } from './teams/index.js';
import { webhookSender } from './webhook/index.js';

/** How many nice steps this thread gives up (see below). */
const sendThreadNice = 10;

const senders: Record<string, NotificationSender> = {
  slack: slackSender,
  teams: teamsSender,
  webhook: webhookSender,
  pagerduty: pagerDutySender,
  email: emailSender,
};

// The senders sent here keep nothing in the store (send-thread-protocol.ts: offThreadTypes).
const noRefs: RefStore = {
  get: async () => undefined,
  set: async () => undefined,
};

// Ten nice steps below the coordinator's other threads: on a busy machine a burst's sends take the CPU the engine and
// the store leave, not the reverse (Linux; a thread may lower its own priority without privileges, never raise it).
// bench:notify, four interleaved pairs: a step's p99 in the burst 8.0–10.1 ms against 9.5–12.6 ms without, healthy
// delivery p99 about the same. At nice 10 the thread still gets a tenth of a busy core: ~700 sends a second.
lowerThisThread(sendThreadNice);
const port = parentPort!;
const cancels = new Map<number, AbortController>();

async function sendOne(r: Extract<SendThreadRequest, { op: 'send' }>): Promise<SendOutcome> {
  const sender = senders[r.type];
  if (!sender) return { kind: 'retry', error: `no sender for ${r.type} in the send thread` };
  const cancel = new AbortController();
  setMaxListeners(0, cancel.signal);
  cancels.set(r.id, cancel);
  const attempt = deadline(r.timeoutMs, cancel.signal);
  try {
    return await sender.send({
      message: r.message,
      key: r.key,
      service: r.service,
      signal: attempt.signal,
      refs: noRefs,
    });
  } catch (e) {
    return { kind: 'retry', error: messageOf(e) };
  } finally {
    attempt.done();
    cancels.delete(r.id);
  }
}

port.on('message', (r: SendThreadRequest) => {
  if (r.op === 'cancel') {
    cancels.get(r.id)?.abort(new Error('the coordinator is stopping'));
    return;
  }
  void sendOne(r).then((outcome) => port.postMessage({ id: r.id, outcome } satisfies SendThreadAnswer));
});
