import { spawn } from 'node:child_process';
import { entryCommand } from './entry.js';

/** Run the CLI as a user does: a real process; resolves with its exit code and output (NO_COLOR set). */
export function runSlipway(
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const [node, argv] = entryCommand('src/cli/main.ts', args);
  return new Promise((resolve) => {
    const child = spawn(node, argv, { cwd: options.cwd, env: { ...process.env, NO_COLOR: '1', ...options.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
