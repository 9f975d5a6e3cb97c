/**
 * Local stand-ins for the SaaS receivers that cannot run here (Slack, Teams, PagerDuty) and a
 * generic Standard Webhooks receiver. Each validates the documented request format strictly and
 * answers as the real one does to a malformed request (400 with a reason), dedups by the delivery's
 * idempotency key, and can be told to fail half the time or hang.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export type ReceiverKind = 'slack' | 'teams' | 'pagerduty' | 'webhook';

export interface Received {
  key: string;
  body: Record<string, unknown>;
  headers: IncomingMessage['headers'];
  at: number;
}

export interface Receiver {
  url: string;
  /** Accepted messages, first copy per key only. */
  received: Received[];
  /** Copies of a key already received (dropped). */
  duplicates: number;
  /** Requests refused as malformed, with the reason answered. */
  rejected: string[];
  /** The key of every request that arrived, answered or not, in order. */
  requests: string[];
  /** Requests answered 500 on purpose (failHalf). */
  failed: number;
  mode: { failHalf?: boolean; hang?: boolean; status?: number };
  close(): Promise<void>;
}

type Check = (body: Record<string, unknown>, headers: IncomingMessage['headers']) => string | undefined;

const isText = (v: unknown, max: number) => typeof v === 'string' && v.length > 0 && v.length <= max;

/** Slack Block Kit, as chat.postMessage and incoming webhooks document it (the blocks used here). */
export const checkSlack: Check = (body) => {
  if (!isText(body.text, 40_000)) return 'invalid_payload: text (the notification fallback) is required';
  const blocks = body.blocks;
  if (!Array.isArray(blocks) || blocks.length === 0 || blocks.length > 50) return 'invalid_blocks: 1 to 50 blocks';
  for (const [i, b] of blocks.entries()) {
    const where = `invalid_blocks: blocks[${i}]`;
    if (b.type === 'header') {
      if (b.text?.type !== 'plain_text' || !isText(b.text.text, 150)) return `${where}.text: plain_text of 1-150`;
    } else if (b.type === 'section') {
      if (!b.text && !b.fields) return `${where}: a section needs text or fields`;
      if (b.text && (!['mrkdwn', 'plain_text'].includes(b.text.type) || !isText(b.text.text, 3000)))
        return `${where}.text: 1-3000 characters`;
      if (b.fields && (!Array.isArray(b.fields) || b.fields.length > 10)) return `${where}.fields: at most 10`;
      for (const f of b.fields ?? []) if (!isText(f.text, 2000)) return `${where}.fields: 1-2000 characters each`;
    } else if (b.type === 'context') {
      if (!Array.isArray(b.elements) || b.elements.length === 0 || b.elements.length > 10)
        return `${where}.elements: 1 to 10`;
    } else if (b.type === 'actions') {
      for (const e of b.elements ?? []) {
        if (e.type !== 'button' || e.text?.type !== 'plain_text' || !isText(e.text.text, 75))
          return `${where}: buttons need plain_text of 1-75`;
        if (e.url !== undefined && !(isText(e.url, 3000) && /^https?:\/\//.test(e.url))) return `${where}: url`;
      }
    } else return `${where}.type: unsupported block type ${String(b.type)}`;
  }
  return undefined;
};

/** A Workflows webhook message with one Adaptive Card (http://adaptivecards.io/schemas/adaptive-card.json). */
export const checkTeams: Check = (body) => {
  if (body.type !== 'message') return 'type must be "message"';
  const attachments = body.attachments as Record<string, any>[] | undefined;
  if (!Array.isArray(attachments) || attachments.length !== 1) return 'attachments: exactly one card';
  const a = attachments[0]!;
  if (a.contentType !== 'application/vnd.microsoft.card.adaptive') return 'attachments[0].contentType';
  const card = a.content;
  if (card?.type !== 'AdaptiveCard' || !/^1\.[0-6]$/.test(String(card.version))) return 'content: AdaptiveCard 1.0-1.6';
  if (!Array.isArray(card.body) || card.body.length === 0) return 'content.body: at least one element';
  for (const [i, el] of card.body.entries()) {
    if (el.type === 'TextBlock') {
      if (typeof el.text !== 'string') return `content.body[${i}].text: required`;
    } else if (el.type === 'FactSet') {
      if (
        !Array.isArray(el.facts) ||
        el.facts.some((f: any) => typeof f.title !== 'string' || typeof f.value !== 'string')
      )
        return `content.body[${i}].facts: title and value strings`;
    } else return `content.body[${i}].type: unsupported ${String(el.type)}`;
  }
  for (const act of card.actions ?? []) {
    if (act.type !== 'Action.OpenUrl' || typeof act.url !== 'string') return 'content.actions: Action.OpenUrl with url';
  }
  return undefined;
};

/** PagerDuty Events API v2 (developer.pagerduty.com, "Send an Alert Event"). */
export const checkPagerDuty: Check = (body) => {
  if (!isText(body.routing_key, 64) || String(body.routing_key).length !== 32) return 'routing_key: 32 characters';
  if (!['trigger', 'acknowledge', 'resolve'].includes(String(body.event_action))) return 'event_action: invalid';
  if (body.dedup_key !== undefined && !isText(body.dedup_key, 255)) return 'dedup_key: at most 255 characters';
  if (body.event_action !== 'trigger') return body.dedup_key ? undefined : 'dedup_key: required to acknowledge/resolve';
  const p = body.payload as Record<string, unknown> | undefined;
  if (!p) return 'payload: required for trigger';
  if (!isText(p.summary, 1024)) return 'payload.summary: 1-1024 characters';
  if (!isText(p.source, 255)) return 'payload.source: required';
  if (!['critical', 'error', 'warning', 'info'].includes(String(p.severity))) return 'payload.severity: invalid';
  if (p.timestamp !== undefined && Number.isNaN(Date.parse(String(p.timestamp)))) return 'payload.timestamp: ISO 8601';
  return undefined;
};

/** A Standard Webhooks receiver: the signature must verify with the shared secret. */
export function checkWebhook(secret: string): Check {
  const wh = new Webhook(secret);
  return (body, headers) => {
    try {
      wh.verify(JSON.stringify(body), headers as Record<string, string>);
    } catch (e) {
      return `signature: ${(e as Error).message}`;
    }
    return typeof body.type === 'string' && body.data ? undefined : 'type and data are required';
  };
}

const keyOf = (kind: ReceiverKind, headers: IncomingMessage['headers']) =>
  String((kind === 'webhook' ? headers['webhook-id'] : headers['idempotency-key']) ?? '');

/** Start a receiver on a free loopback port. The webhook kind needs the signing secret. */
export async function startReceiver(
  kind: ReceiverKind,
  options: { secret?: string; failHalf?: boolean; hang?: boolean; rawBody?: (raw: string) => void } = {},
): Promise<Receiver> {
  const check =
    kind === 'slack'
      ? checkSlack
      : kind === 'teams'
        ? checkTeams
        : kind === 'pagerduty'
          ? checkPagerDuty
          : checkWebhook(options.secret!);
  const seen = new Set<string>();
  let n = 0;
  const r: Receiver = {
    url: '',
    received: [],
    duplicates: 0,
    rejected: [],
    requests: [],
    failed: 0,
    mode: { failHalf: options.failHalf, hang: options.hang },
    close: async () => undefined,
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      r.requests.push(keyOf(kind, req.headers));
      if (r.mode.hang) return; // never answers: the sender's timeout must end it
      const raw = Buffer.concat(chunks).toString('utf8');
      options.rawBody?.(raw);
      if (r.mode.status) return res.writeHead(r.mode.status).end('refused on purpose');
      if (r.mode.failHalf && n++ % 2 === 0) {
        r.failed++;
        return res.writeHead(500).end('failing half the time');
      }
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(raw);
      } catch {
        r.rejected.push('invalid_payload: not JSON');
        return res.writeHead(400).end('invalid_payload');
      }
      const problem = req.headers['content-type']?.startsWith('application/json')
        ? check(body, req.headers)
        : 'content-type must be application/json';
      if (problem) {
        r.rejected.push(problem);
        return res.writeHead(400).end(problem);
      }
      const key = keyOf(kind, req.headers);
      if (seen.has(key)) r.duplicates++;
      else {
        seen.add(key);
        r.received.push({ key, body, headers: req.headers, at: Date.now() });
      }
      if (kind === 'pagerduty')
        return res
          .writeHead(202, { 'content-type': 'application/json' })
          .end(JSON.stringify({ status: 'success', message: 'Event processed', dedup_key: body.dedup_key }));
      res.writeHead(kind === 'teams' ? 202 : 200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  r.url = `http://127.0.0.1:${port}/${kind === 'slack' ? 'services/T000/B000/XXXXXXXX' : kind}`;
  r.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return r;
}
