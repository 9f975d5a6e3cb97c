import { writeFileSync } from 'node:fs';
import { CliError } from './errors.js';

/** What the user can do about a failed write, by errno; anything else keeps node's message. */
const reasons: Record<string, string> = {
  ENOENT: 'its directory does not exist',
  ENOTDIR: 'a part of the path is not a directory',
  EISDIR: 'it is a directory; name a file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
};

/**
 * Write a file the user named (`-o FILE`, `--config FILE`). A path that cannot be written is the user's to fix,
 * not a bug: one line naming the option and the path, exit 2 — not node's stack trace and exit 70.
 */
export function writeOutputFile(file: string, text: string, option = '--output'): void {
  try {
    writeFileSync(file, text);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    const reason = reasons[code] ?? (e as Error).message;
    throw new CliError('invalid_input', `${option} ${file}: cannot write it: ${reason}`, { cause: code });
  }
}
