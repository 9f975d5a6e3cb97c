import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Commit } from './conventional.js';

const run = promisify(execFile);
/** Field and record separators git never writes in a subject or body. */
const fieldSep = '\u001f';
const recordSep = '\u001e';

/** A ref as given to git: a sha or a tag name, never an option. */
const safeRef = /^[A-Za-z0-9][A-Za-z0-9._/+-]{0,127}$/;

async function git(repo: string, args: string[]): Promise<string> {
  const { stdout } = await run('git', ['-C', repo, ...args], { maxBuffer: 16 * 1024 * 1024, timeout: 15_000 });
  return stdout;
}

/** The commit a ref names in `repo`, or undefined (not a repo, unknown ref, unsafe text). */
export async function resolveCommit(repo: string, ref: string): Promise<string | undefined> {
  if (!safeRef.test(ref)) return undefined;
  try {
    return (await git(repo, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`])).trim();
  } catch {
    return undefined;
  }
}

/** Commits reachable from `to` but not from `from` (newest first, merges left out). */
export async function commitsBetween(repo: string, from: string | undefined, to: string): Promise<Commit[]> {
  const range = from ? `${from}..${to}` : to;
  const out = await git(repo, [
    'log',
    '--no-merges',
    '--max-count=1000',
    `--format=%H${fieldSep}%s${fieldSep}%b${recordSep}`,
    '--end-of-options',
    range,
  ]);
  return out
    .split(recordSep)
    .map((r) => r.replace(/^\n/, ''))
    .filter((r) => r.includes(fieldSep))
    .map((r) => {
      const [sha, subject, body] = r.split(fieldSep);
      return { sha: sha!, subject: subject ?? '', body: body ?? '' };
    });
}
