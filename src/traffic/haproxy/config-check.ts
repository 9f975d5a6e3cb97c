import { spawn } from 'node:child_process';
import { HaproxyError } from './errors.js';

/** The outcome of running a program to completion. */
interface Run {
  code: number | null;
  output: string;
}

/** Run `binary args` (argv, no shell) and collect stdout + stderr; a missing binary is one clear line. */
export function runBinary(binary: string, args: readonly string[], timeoutMs = 20_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(missingBinary(binary, e));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** The error for a binary that cannot be started. */
export function missingBinary(binary: string, e: NodeJS.ErrnoException): HaproxyError {
  return new HaproxyError(
    'unavailable',
    `the haproxy binary ${binary} cannot be run (${e.code ?? e.message}); ` +
      'install HAProxy (Debian: apt install haproxy) or set its path',
    { binary },
  );
}

/**
 * `haproxy -c -f file`: HAProxy's own verdict on a generated configuration before it is put in force.
 * A refusal is `invalid_input` quoting HAProxy's alerts (the lines that say what and where).
 */
export async function checkConfig(binary: string, file: string): Promise<void> {
  const run = await runBinary(binary, ['-c', '-f', file]);
  if (run.code === 0) return;
  const alerts = run.output
    .split('\n')
    .filter((l) => l.includes('[ALERT]'))
    .slice(0, 3)
    .map((l) => l.replace(/^\[ALERT\]\s*\(\d+\)\s*:\s*/, '').trim());
  throw new HaproxyError(
    'invalid_input',
    `haproxy -c refused the generated configuration ${file}: ` +
      (alerts.length > 0 ? alerts : [run.output.trim()]).join(' | '),
    { file, output: run.output },
  );
}
