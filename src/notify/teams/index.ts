/** Microsoft Teams through a Workflows webhook: a message with one Adaptive Card (schema 1.4). */
import { linkLabel, type NotificationMessage } from '../message.js';
import { postJson } from '../http.js';
import type { NotificationSender } from '../sender.js';

const color = { info: 'Accent', success: 'Good', warning: 'Warning', critical: 'Attention' };

/** The Workflows "post to a channel when a webhook request is received" payload. */
export function teamsPayload(m: NotificationMessage): Record<string, unknown> {
  const body: Record<string, unknown>[] = [
    { type: 'TextBlock', text: m.title, weight: 'Bolder', size: 'Medium', wrap: true, color: color[m.severity] },
  ];
  if (m.body) body.push({ type: 'TextBlock', text: m.body, wrap: true });
  if (m.facts.length > 0)
    body.push({ type: 'FactSet', facts: m.facts.map((f) => ({ title: f.label, value: f.value })) });
  body.push({ type: 'TextBlock', text: `${m.trigger} · ${m.at}`, isSubtle: true, size: 'Small', wrap: true });
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body,
          ...(m.link ? { actions: [{ type: 'Action.OpenUrl', title: linkLabel(m), url: m.link }] } : {}),
        },
      },
    ],
  };
}

export const teamsSender: NotificationSender = {
  send: ({ message, key, service, signal }) => postJson(String(service.url), teamsPayload(message), key, signal),
};
