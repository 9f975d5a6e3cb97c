/**
 * A message as an Atlassian Document Format document (the `description` and comment `body` of
 * Jira REST v3): a paragraph per line of the body, the facts as a bullet list with bold labels,
 * the link as a linked text. ADF refuses empty text nodes, so empty parts are left out.
 */
import { linkLabel, type NotificationMessage } from '../message.js';

export type AdfNode = Record<string, unknown>;

const text = (value: string, marks?: AdfNode[]): AdfNode => ({
  type: 'text',
  text: value,
  ...(marks ? { marks } : {}),
});

/** One paragraph; its lines separated by hard breaks (no empty text node). */
export function paragraph(lines: string[]): AdfNode | undefined {
  const content: AdfNode[] = [];
  for (const line of lines.filter((l) => l.trim() !== '')) {
    if (content.length > 0) content.push({ type: 'hardBreak' });
    content.push(text(line));
  }
  return content.length > 0 ? { type: 'paragraph', content } : undefined;
}

/** An ADF document (version 1) of these block nodes; never empty (Jira wants at least one block). */
export function doc(blocks: (AdfNode | undefined)[]): AdfNode {
  const content = blocks.filter((b): b is AdfNode => b !== undefined);
  return { type: 'doc', version: 1, content: content.length > 0 ? content : [paragraph(['(no details)'])!] };
}

/** The message as an issue description: body, facts, the trigger and time, the deployment link. */
export function messageDoc(m: NotificationMessage, lead?: string): AdfNode {
  const facts =
    m.facts.length > 0
      ? {
          type: 'bulletList',
          content: m.facts.map((f) => ({
            type: 'listItem',
            content: [{ type: 'paragraph', content: [text(`${f.label}: `, [{ type: 'strong' }]), text(f.value)] }],
          })),
        }
      : undefined;
  const link = m.link
    ? { type: 'paragraph', content: [text(linkLabel(m), [{ type: 'link', attrs: { href: m.link } }])] }
    : undefined;
  return doc([
    paragraph([lead ?? '', ...m.body.split('\n')]),
    facts,
    link,
    paragraph([`${m.trigger} · ${m.at} · sent by Slipway`]),
  ]);
}
