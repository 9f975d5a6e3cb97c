import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// bench/support.ts says why: tsx's CLI SIGKILLs a child that is slow to acknowledge a signal, so a benchmark stopped
// with Ctrl-C on a loaded machine skipped its cleanup and left its coordinator, proxy and instances running.
describe('npm scripts', () => {
  const scripts = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).scripts as Record<
    string,
    string
  >;

  it('run TypeScript as `node --import tsx`, never through the tsx CLI', () => {
    const throughCli = Object.entries(scripts).filter(([, command]) => /(?<!--import)(?:^|[\s&;=])tsx\s/.test(command));
    expect(throughCli).toEqual([]);
    const benches = Object.entries(scripts).filter(([name]) => name.startsWith('bench:'));
    expect(benches.length).toBeGreaterThan(10);
    for (const [name, command] of benches) expect(command, name).toMatch(/node --import tsx bench\/\S+\.ts/);
  });
});
