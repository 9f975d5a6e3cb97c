/**
 * Differences between two catalog snapshots, as data (for --json and for comparing steps)
 * and as one line per object for people.
 */
import type { CatalogSnapshot } from './catalog.js';

export interface CatalogDifference {
  /** The snapshot key, e.g. `index public.vessels_name_idx`. */
  object: string;
  change: 'added' | 'removed' | 'changed';
  before?: string;
  after?: string;
}

/** What changed from `before` to `after`, sorted by object key. */
export function diffCatalogs(before: CatalogSnapshot, after: CatalogSnapshot): CatalogDifference[] {
  const differences: CatalogDifference[] = [];
  for (const [object, definition] of before) {
    const now = after.get(object);
    if (now === undefined) differences.push({ object, change: 'removed', before: definition });
    else if (now !== definition) differences.push({ object, change: 'changed', before: definition, after: now });
  }
  for (const [object, definition] of after) {
    if (!before.has(object)) differences.push({ object, change: 'added', after: definition });
  }
  return differences.sort((a, b) => (a.object < b.object ? -1 : a.object > b.object ? 1 : 0));
}

/**
 * One line for a person: `column public.vessels.flag: added (position 3 text)`,
 * `column public.vessels.tonnage: changed (position 2 integer → position 2 numeric(10,2))`.
 */
export function describeDifference(d: CatalogDifference): string {
  switch (d.change) {
    case 'added':
      return `${d.object}: added (${oneLine(d.after)})`;
    case 'removed':
      return `${d.object}: removed (was ${oneLine(d.before)})`;
    case 'changed': {
      const [before, after] = aroundFirstDifference(oneLine(d.before, Infinity), oneLine(d.after, Infinity));
      return `${d.object}: changed (${before} → ${after})`;
    }
  }
}

// A function body that differs in one word should show that word, not the shared first 160 characters.
function aroundFirstDifference(a: string, b: string, limit = 160, context = 40): [string, string] {
  if (a.length <= limit && b.length <= limit) return [a, b];
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  const from = Math.max(0, start - context);
  const cut = (text: string) => {
    const window = text.slice(from, from + limit);
    return `${from > 0 ? '…' : ''}${window}${from + limit < text.length ? '…' : ''}`;
  };
  return [cut(a), cut(b)];
}

// Definitions of views and functions span lines; a difference is read on one.
function oneLine(definition: string | undefined, limit = 160): string {
  const flat = (definition ?? '').replace(/\s+/g, ' ').trim();
  return flat.length > limit ? `${flat.slice(0, limit - 1)}…` : flat;
}
