/** A commit as git log gives it. */
export interface Commit {
  sha: string;
  subject: string;
  body: string;
}

/** One line of the notes. */
export interface NoteEntry {
  sha: string;
  /** The description (conventional) or the whole subject (plain). */
  text: string;
  scope?: string;
}

/** Release notes grouped the Conventional Commits way. */
export interface ReleaseNotes {
  breaking: NoteEntry[];
  features: NoteEntry[];
  fixes: NoteEntry[];
  /** Other conventional types (chore, docs, refactor…) and plain subjects, as written. */
  other: NoteEntry[];
}

const header = /^([a-zA-Z]+)(?:\(([^)]*)\))?(!)?: (.+)$/;
const breakingFooter = /^BREAKING[ -]CHANGE: (.+)$/m;

/**
 * Group commits (newest first) into breaking changes, features, fixes and the rest. A commit is breaking when its
 * header has `!` or its body a `BREAKING CHANGE:` footer (whose text is used when given).
 *
 * @example groupCommits([{ sha: 'a1', subject: 'feat(api): quotes in EUR', body: '' }]).features
 */
export function groupCommits(commits: readonly Commit[]): ReleaseNotes {
  const notes: ReleaseNotes = { breaking: [], features: [], fixes: [], other: [] };
  for (const c of commits) {
    const m = header.exec(c.subject.trim());
    if (!m) {
      notes.other.push({ sha: c.sha, text: c.subject.trim() });
      continue;
    }
    const [, type, scope, bang, description] = m;
    const footer = breakingFooter.exec(c.body);
    const entry: NoteEntry = { sha: c.sha, text: description!.trim(), ...(scope ? { scope } : {}) };
    if (bang || footer) notes.breaking.push(footer ? { ...entry, text: `${entry.text}: ${footer[1]!.trim()}` } : entry);
    else if (type!.toLowerCase() === 'feat') notes.features.push(entry);
    else if (type!.toLowerCase() === 'fix') notes.fixes.push(entry);
    else notes.other.push({ sha: c.sha, text: c.subject.trim() });
  }
  return notes;
}

/** The notes as Markdown: a heading per non-empty group, one line per change with its short sha. */
export function notesMarkdown(
  title: { service: string; version: string; fromVersion?: string },
  notes: ReleaseNotes,
): string {
  const range = title.fromVersion ? ` (since ${title.fromVersion})` : '';
  const lines = [`# ${title.service} ${title.version}${range}`];
  const groups: [string, NoteEntry[]][] = [
    ['Breaking changes', notes.breaking],
    ['Features', notes.features],
    ['Fixes', notes.fixes],
    ['Other changes', notes.other],
  ];
  for (const [heading, entries] of groups) {
    if (entries.length === 0) continue;
    lines.push('', `## ${heading}`, '');
    for (const e of entries) lines.push(`- ${e.scope ? `**${e.scope}:** ` : ''}${e.text} (${e.sha.slice(0, 7)})`);
  }
  if (groups.every(([, e]) => e.length === 0)) lines.push('', 'No changes.');
  return `${lines.join('\n')}\n`;
}
