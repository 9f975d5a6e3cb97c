/** Key path → line and column in the YAML source, so every issue points at the line to fix. */
import { type Document, isAlias, isMap, isScalar, isSeq, type LineCounter, type Node } from 'yaml';

/** A 1-based position. */
export interface Position {
  line: number;
  column: number;
}

/**
 * Where `path` is written: the key's position for mappings, the item's for lists. When part of
 * the path does not exist (a missing required key), the nearest existing parent key is reported.
 */
export function locate(doc: Document, lineCounter: LineCounter, path: readonly PropertyKey[]): Position {
  let node: unknown = doc.contents;
  let offset = isNode(node) && node.range ? node.range[0] : 0;
  for (const segment of path) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && keyMatches(item.key, segment));
      if (!pair || !isScalar(pair.key) || !pair.key.range) break;
      offset = pair.key.range[0];
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment];
      if (!isNode(item) || !item.range) break;
      offset = item.range[0];
      node = item;
    } else {
      break;
    }
  }
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}

/** Compare as written too: a key `1.10` is the number 1.1 to YAML but "1.10" to the config. */
function keyMatches(key: { value: unknown; source?: string }, segment: PropertyKey): boolean {
  return String(key.value) === String(segment) || key.source === String(segment);
}

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && 'range' in value;
}
