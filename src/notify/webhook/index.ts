/**
 * Generic webhooks signed per the Standard Webhooks specification (standardwebhooks.com):
 * `webhook-id` is the delivery's idempotency key (the same on every retry), `webhook-timestamp`
 * the attempt's time, `webhook-signature` an HMAC-SHA256 over `id.timestamp.body`.
 */
import { Webhook } from 'standardwebhooks';
import { messageOf } from '../../shared/errors.js';
import { classify, request } from '../http.js';
import type { NotificationMessage } from '../message.js';
import type { NotificationSender } from '../sender.js';

/** The JSON body: `type` like deployment.failed, the time, and every fact of the event. */
export function webhookPayload(m: NotificationMessage): Record<string, unknown> {
  return {
    type: m.trigger.replace(/^on-/, '').replace('-', '.'),
    timestamp: m.at,
    data: { title: m.title, body: m.body, severity: m.severity, ...(m.link ? { link: m.link } : {}), ...m.values },
  };
}

export const webhookSender: NotificationSender = {
  async send({ message, key, service, signal }) {
    const body = JSON.stringify(webhookPayload(message));
    const now = new Date();
    let signature: string;
    try {
      signature = new Webhook(String(service.secret)).sign(key, now, body);
    } catch (e) {
      // A secret that is not base64 (or whsec_…) cannot sign anything: retrying will not help until it is replaced.
      return { kind: 'failed', error: `the signing secret is not a Standard Webhooks secret: ${messageOf(e)}` };
    }
    return classify(
      await request(String(service.url), {
        headers: {
          'content-type': 'application/json',
          'webhook-id': key,
          'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
          'webhook-signature': signature,
        },
        body,
        signal,
      }),
    );
  },
};
