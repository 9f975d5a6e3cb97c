import { execFileSync } from 'node:child_process';
import { expect, it, vi } from 'vitest';

it('sysconf answers at once with the fallback, then with getconf’s value once it has arrived', async () => {
  // A module of its own: unit files share their worker's modules, and another may have asked getconf already.
  vi.resetModules();
  const { sysconf } = await import('./proc-usage.js');
  // A fallback no machine has: the first answer cannot have come from getconf (it is asked in the background).
  expect(sysconf('PAGESIZE', 1)).toBe(1);
  const real = Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }).trim());
  for (let i = 0; i < 100 && sysconf('PAGESIZE', 1) === 1; i++) await new Promise((r) => setTimeout(r, 50));
  expect(sysconf('PAGESIZE', 1)).toBe(real);
  expect(sysconf('CLK_TCK', 1)).toBe(Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()));
});
