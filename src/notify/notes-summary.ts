/**
 * Release notes as a notice carries them: a bounded summary (the counts, the first entries, a link to the rest), so
 * a Slack section (3,000 characters), a card or a mail stays readable however long the history between releases is.
 */
import type { NoteEntry, ReleaseNotes } from '../release-notes/conventional.js';

/** Entries shown before "… and N more". */
export const summaryEntries = 8;
const entryChars = 160;

const groups: [keyof ReleaseNotes, string][] = [
  ['breaking', 'breaking'],
  ['features', 'feature'],
  ['fixes', 'fix'],
  ['other', 'other'],
];

const entriesOf = (notes: unknown, key: keyof ReleaseNotes): NoteEntry[] => {
  const list = (notes as Partial<Record<keyof ReleaseNotes, unknown>> | null)?.[key];
  return Array.isArray(list) ? (list as NoteEntry[]).filter((e) => typeof e?.text === 'string') : [];
};

const cut = (text: string) => (text.length > entryChars ? `${text.slice(0, entryChars - 1)}…` : text);

/**
 * "Release notes: 1 breaking, 2 features, …" then one line per entry (breaking first), at most `max`, and the link
 * to the whole notes when some were left out. Undefined when the notes hold no entry.
 *
 * @example notesSummary({ features: [{ sha: 'a1b2c3d', text: 'quotes in EUR' }] }, 'https://…/1.5.0')
 */
export function notesSummary(notes: unknown, link: string, max = summaryEntries): string | undefined {
  const all = groups.flatMap(([key, label]) => entriesOf(notes, key).map((e) => ({ label, e })));
  if (all.length === 0) return undefined;
  const counts = groups
    .map(([key, label]) => [entriesOf(notes, key).length, label] as const)
    .filter(([n]) => n > 0)
    .map(
      ([n, label]) => `${n} ${label === 'fix' && n > 1 ? 'fixes' : label === 'feature' && n > 1 ? 'features' : label}`,
    );
  const lines = all
    .slice(0, max)
    .map(
      ({ label, e }) =>
        `• ${label}: ${cut(`${e.scope ? `${e.scope}: ` : ''}${e.text}`)} (${String(e.sha).slice(0, 7)})`,
    );
  const rest = all.length - Math.min(max, all.length);
  return [
    `Release notes (${counts.join(', ')}):`,
    ...lines,
    rest > 0 ? `… and ${rest} more: ${link}` : `Release notes: ${link}`,
  ].join('\n');
}
