/**
 * E-mail over SMTP with nodemailer. The Message-ID is made from the idempotency key, so a copy
 * sent again after a restart carries the same id and a mail system (or reader) can drop it.
 */
import { messageOf } from '../../shared/errors.js';
import type { NotificationMessage } from '../message.js';
import type { NotificationSender, SendOutcome } from '../sender.js';

/** The text of the mail: body, facts one per line, the link. */
export function emailText(m: NotificationMessage): string {
  const facts = m.facts.map((f) => `${f.label}: ${f.value}`);
  return [m.body, '', ...facts, ...(m.link ? ['', m.link] : []), '', `${m.trigger} · ${m.at}`].join('\n');
}

/** nodemailer's error → outcome: SMTP 5xx refusals are permanent, 4xx and lost connections are retried. */
function outcomeOf(e: unknown): SendOutcome {
  const code = (e as { responseCode?: number }).responseCode;
  const error = `SMTP: ${messageOf(e)}`;
  if (code !== undefined && code >= 500) return { kind: 'failed', status: code, error };
  return { kind: 'retry', ...(code ? { status: code } : {}), error };
}

export const emailSender: NotificationSender = {
  async send({ message, key, service, signal }) {
    let server: URL;
    try {
      server = new URL(String(service.url));
    } catch {
      return { kind: 'failed', error: 'the SMTP URL secret is not a URL (smtp://user:password@host:587)' };
    }
    const secure = server.protocol === 'smtps:';
    // Imported at the first mail, not by every coordinator start (~50 ms of CPU) for a sender most projects never use.
    const { default: nodemailer } = await import('nodemailer');
    const transport = nodemailer.createTransport({
      host: server.hostname,
      port: Number(server.port) || (secure ? 465 : 587),
      secure,
      ...(server.username
        ? { auth: { user: decodeURIComponent(server.username), pass: decodeURIComponent(server.password) } }
        : {}),
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 10_000,
    });
    const aborted = new Promise<SendOutcome>((resolve) => {
      const onAbort = () => resolve({ kind: 'retry', error: 'SMTP: timed out' });
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      const sending = transport
        .sendMail({
          from: String(service.from),
          to: (service.to as string[]).join(', '),
          subject: message.title,
          text: emailText(message),
          messageId: `<${key.replace(/[^A-Za-z0-9.-]/g, '.')}@slipway>`,
          headers: { 'X-Slipway-Trigger': message.trigger, 'Idempotency-Key': key },
        })
        .then((): SendOutcome => ({ kind: 'sent' }), outcomeOf);
      return await Promise.race([sending, aborted]);
    } finally {
      transport.close();
    }
  },
};
