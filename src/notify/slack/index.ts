/** Slack incoming webhook, Block Kit: a header, the text, the facts as fields, the link as a button. */
import { linkLabel, type NotificationMessage } from '../message.js';
import { postJson } from '../http.js';
import type { NotificationSender } from '../sender.js';

const icon = {
  info: ':information_source:',
  success: ':white_check_mark:',
  warning: ':warning:',
  critical: ':rotating_light:',
};

const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** Slack's payload for a message (limits: header 150, section 3000, 10 fields of 2000). */
export function slackPayload(m: NotificationMessage): Record<string, unknown> {
  const blocks: Record<string, unknown>[] = [
    { type: 'header', text: { type: 'plain_text', text: cut(m.title, 150), emoji: true } },
  ];
  if (m.body) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: cut(m.body, 3000) } });
  if (m.facts.length > 0) {
    blocks.push({
      type: 'section',
      fields: m.facts.slice(0, 10).map((f) => ({ type: 'mrkdwn', text: cut(`*${f.label}*\n${f.value}`, 2000) })),
    });
  }
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `${icon[m.severity]} ${m.trigger} · ${m.at}` }] });
  if (m.link) {
    blocks.push({
      type: 'actions',
      elements: [{ type: 'button', text: { type: 'plain_text', text: linkLabel(m) }, url: m.link }],
    });
  }
  return { text: cut(`${m.title}${m.body ? `\n${m.body}` : ''}`, 3000), blocks };
}

export const slackSender: NotificationSender = {
  send: ({ message, key, service, signal }) => postJson(String(service.url), slackPayload(message), key, signal),
};
