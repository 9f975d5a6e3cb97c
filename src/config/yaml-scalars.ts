/**
 * Keep scalars as written where the config wants text: env values, args and release versions.
 * YAML reads `1.10` as the number 1.1 and `0x1F` as 31; a version "1.10" or an env value
 * "0x1F" must survive as typed. Mutates the parsed document before it becomes a JS object.
 */
import { type Document, isMap, isPair, isScalar, isSeq, type Scalar } from 'yaml';

function asWritten(node: unknown): void {
  if (!isScalar(node)) return;
  const scalar = node as Scalar;
  const isText = typeof scalar.value !== 'number' && typeof scalar.value !== 'boolean';
  if (!isText && scalar.source !== undefined) scalar.value = scalar.source;
}

function child(node: unknown, key: string): unknown {
  if (!isMap(node)) return undefined;
  const pair = node.items.find((item) => isScalar(item.key) && item.key.value === key);
  return pair?.value;
}

function pairsOf(node: unknown) {
  return isMap(node) ? node.items.filter(isPair) : [];
}

function keepBlock(block: unknown): void {
  const args = child(block, 'args');
  if (isSeq(args)) for (const item of args.items) asWritten(item);
  for (const pair of pairsOf(child(block, 'env'))) asWritten(pair.value);
}

/** Rewrite number and boolean scalars in services' args, env values and release keys to their source text. */
export function keepScalarsAsWritten(doc: Document): void {
  for (const service of pairsOf(child(doc.contents, 'services'))) {
    keepBlock(service.value);
    for (const override of pairsOf(child(service.value, 'environments'))) keepBlock(override.value);
    for (const release of pairsOf(child(service.value, 'releases'))) {
      asWritten(release.key);
      keepBlock(release.value);
    }
  }
}
