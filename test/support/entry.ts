import { fileURLToPath } from 'node:url';

/** Repository root (absolute). */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/**
 * How tests start a TypeScript entry point as a real process: node with tsx's loader, straight
 * from src/ (no build step, so a test never runs stale dist/ code).
 * Example: spawn(...entryCommand('src/cli/main.ts', ['proxy', '--state-dir', dir]))
 */
export function entryCommand(relativeFile: string, args: string[] = []): [string, string[]] {
  // tsx resolved to an absolute URL, so the child finds it whatever its working directory.
  return [
    process.execPath,
    [
      '--import',
      import.meta.resolve('tsx'),
      fileURLToPath(new URL(relativeFile, new URL('../../', import.meta.url))),
      ...args,
    ],
  ];
}
