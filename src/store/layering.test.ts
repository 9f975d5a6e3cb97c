import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

/**
 * The store sits at the bottom (DESIGN.md, issue 9): rows ↔ models, importing nothing above shared/ and config/
 * (and the models in model/, which import only config/). A repository that needs the engine's or the ingest's logic
 * gets it from its caller instead: e.g. error-issues.ts returns an event's stored bytes and
 * src/observe/errors/stored-event.ts reads them.
 */
const src = fileURLToPath(new URL('../', import.meta.url));
const allowed = new Set(['store', 'shared', 'config', 'model']);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sources(full);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [full] : [];
  });
}

/** Relative specifiers of static imports, re-exports and dynamic imports. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found = [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm)];
  return found.map((m) => m[1]!);
}

it('src/store imports nothing above shared/, config/ and model/', () => {
  const outside: string[] = [];
  const files = sources(path.join(src, 'store'));
  expect(files.length).toBeGreaterThan(20);
  for (const file of files) {
    for (const spec of importsOf(file)) {
      const top = path.relative(src, path.resolve(path.dirname(file), spec)).split(path.sep)[0]!;
      if (!allowed.has(top)) outside.push(`${path.relative(src, file)} → ${spec}`);
    }
  }
  expect(outside).toEqual([]);
});

it('the models import nothing but config/ and each other', () => {
  const outside = sources(path.join(src, 'model')).flatMap((file) =>
    importsOf(file)
      .filter(
        (spec) =>
          !['model', 'config'].includes(path.relative(src, path.resolve(path.dirname(file), spec)).split(path.sep)[0]!),
      )
      .map((spec) => `${path.relative(src, file)} → ${spec}`),
  );
  expect(outside).toEqual([]);
});
