import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// The flag must be set before any WebAssembly is compiled (wasm-baseline.ts says why and what it saves): each entry
// point imports it before anything else.
describe('wasm-baseline', () => {
  for (const entry of ['../cli/main.ts', '../demo/main.ts', '../demo/platform.ts']) {
    it(`${entry.slice(3)} imports it first`, () => {
      const source = readFileSync(new URL(entry, import.meta.url), 'utf8');
      const firstImport = /^import .*$/m.exec(source)?.[0];
      expect(firstImport).toBe("import '../shared/wasm-baseline.js';");
    });
  }
});
