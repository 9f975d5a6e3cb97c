import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Repository root (absolute). */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/**
 * How tests start a TypeScript entry point as a real process. `npm test` builds dist/ first and sets
 * SLIPWAY_ENTRY=dist: files under src/ then run as their built JavaScript, which starts about four times
 * cheaper than through tsx's loader (coordinator: ~0.6 s CPU instead of ~1.8 s), and a suite that spawns
 * hundreds of processes on two cores feels that. Anything else (a lone `npx vitest run`, test fixtures)
 * runs straight from source with tsx, so it never runs stale dist/ code.
 * Example: spawn(...entryCommand('src/cli/main.ts', ['proxy', '--state-dir', dir]))
 */
export function entryCommand(relativeFile: string, args: string[] = []): [string, string[]] {
  const root = new URL('../../', import.meta.url);
  if (process.env.SLIPWAY_ENTRY === 'dist' && relativeFile.startsWith('src/')) {
    const built = fileURLToPath(new URL(relativeFile.replace(/^src\//, 'dist/').replace(/\.ts$/, '.js'), root));
    if (!existsSync(built)) throw new Error(`SLIPWAY_ENTRY=dist but ${built} does not exist; run npm run build`);
    return [process.execPath, [built, ...args]];
  }
  // tsx resolved to an absolute URL, so the child finds it whatever its working directory.
  return [
    process.execPath,
    ['--import', import.meta.resolve('tsx'), fileURLToPath(new URL(relativeFile, root)), ...args],
  ];
}
