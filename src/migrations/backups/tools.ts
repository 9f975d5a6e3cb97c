/** Running PostgreSQL's client programs (Debian: postgresql-client) with argument arrays, never a shell. */
import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { MigrationError } from '../errors.js';

export interface ToolRun {
  code: number;
  /** The last 4 KB of standard error: what the tool said went wrong. */
  stderr: string;
}

/**
 * Run `command args` with `env`; `stdin` is piped in when given, standard output goes to `stdout`
 * when given (else it is discarded). A program that is not installed is one clear error.
 */
export function runTool(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  streams: { stdin?: Readable; stdout?: Writable } = {},
): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env,
      stdio: [streams.stdin ? 'pipe' : 'ignore', streams.stdout ? 'pipe' : 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-4096);
    });
    if (streams.stdin) {
      streams.stdin.pipe(child.stdin!);
      child.stdin!.on('error', () => undefined); // the tool exited early; its exit code says why
    }
    if (streams.stdout) child.stdout!.pipe(streams.stdout);
    child.on('error', (e: NodeJS.ErrnoException) => {
      reject(
        e.code === 'ENOENT'
          ? new MigrationError(
              'unavailable',
              `${command} is not installed (Debian: apt-get install postgresql-client); it is needed for database ` +
                'backups (database.backups: false turns them off)',
            )
          : e,
      );
    });
    child.on('close', (code) => resolve({ code: code ?? 1, stderr: stderr.trim() }));
  });
}

/** The tool's complaint in one line (its last non-empty lines, without the program-name prefix). */
export function toolMessage(command: string, run: ToolRun): string {
  const lines = run.stderr
    .split('\n')
    .map((l) => l.replace(new RegExp(`^${command}: `), '').trim())
    .filter(Boolean);
  return lines.slice(-3).join('; ') || `${command} exited with code ${run.code}`;
}
