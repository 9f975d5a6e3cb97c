import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { RuntimeError } from '../local/errors.js';
import type { HostConnection } from './host-connection.js';
import { shellLine } from '../../shared/shell-quote.js';

const execFileAsync = promisify(execFile);

/** A release directory as content: its hash, its bytes, and what shipping it takes on a host's disk. */
export interface ReleaseContent {
  hash: string;
  bytes: number;
  /**
   * Bytes a host needs free to receive it: the tar (a 512-byte header per entry, data in 512-byte blocks, 10 KiB of
   * end blocks) and the unpacked tree beside it until the tar is removed (4 KiB blocks per file and directory, as
   * ext4 and tmpfs allocate), plus 1 MiB to spare. Counting bytes alone let a release of many small files pass
   * the check and then fill the disk.
   */
  needBytes: number;
}

const roundUp = (n: number, block: number) => Math.ceil(n / block) * block;

/**
 * A release directory as content: sha256 over every file's relative path, mode and bytes, in a
 * fixed order (and the bytes, to check a host's free space). Two identical directories give the
 * same hash wherever they are, so a host that
 * already holds a release (shipped for an earlier instance) is never sent it again.
 */
export async function contentHash(dir: string): Promise<ReleaseContent> {
  const hash = createHash('sha256');
  let bytes = 0;
  let needBytes = 10 * 1024 + 1024 * 1024;
  const walk = async (rel: string): Promise<void> => {
    const entries = (await readdir(join(dir, rel), { withFileTypes: true })).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
    for (const entry of entries) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        hash.update(`d ${path}\0`);
        needBytes += 512 + 4096;
        await walk(path);
      } else if (entry.isFile()) {
        const info = await stat(join(dir, path));
        bytes += info.size;
        needBytes += 512 + roundUp(info.size, 512) + roundUp(info.size, 4096);
        hash.update(`f ${path} ${(info.mode & 0o777).toString(8)} ${info.size}\0`);
        hash.update(await readFile(join(dir, path)));
      }
    }
  };
  try {
    await walk('');
  } catch (err) {
    throw new RuntimeError('failed', `cannot read the release directory ${dir}: ${(err as Error).message}`);
  }
  return { hash: hash.digest('hex').slice(0, 32), bytes, needBytes };
}

/** The remote directory a release with this hash is unpacked in. */
export function releaseDir(base: string, hash: string): string {
  return `${base}/releases/${hash}`;
}

/** The host's answer to `slipway-host release HASH`: present, or absent with the kilobytes free (if df told). */
export function parseReleaseAnswer(stdout: string): { present: true } | { present: false; freeKb?: number } {
  const [word, free] = stdout.trim().split(' ');
  if (word === 'yes') return { present: true };
  const freeKb = free && /^\d+$/.test(free) ? Number(free) : undefined;
  return freeKb === undefined ? { present: false } : { present: false, freeKb };
}

/** Why a host with `freeKb` free cannot take a release (one line naming it), or undefined when it can. */
export function spaceProblem(
  host: { label: string; dir: string },
  freeKb: number | undefined,
  content: Pick<ReleaseContent, 'hash' | 'needBytes'>,
): string | undefined {
  if (freeKb === undefined || freeKb * 1024 >= content.needBytes) return undefined;
  return (
    `host ${host.label} has no space left on its disk: ${freeKb} KB free in ${host.dir}, release ` +
    `${content.hash} needs ${Math.ceil(content.needBytes / 1024)} KB to ship (archive and unpacked copy)`
  );
}

/** What shipRelease uses of a HostConnection. */
export type ShipConnection = Pick<HostConnection, 'host' | 'exec' | 'putFile'>;

const noSpace = /no space left on device|ENOSPC|disk quota exceeded/i;

/**
 * Make sure the host holds the release in `dir`: unpacked under `<base>/releases/<hash>`, shipped
 * as one tar stream over SFTP only when it is not there yet. Returns the remote directory.
 * A host without the space is refused before anything is sent; a disk that fills up anyway (other writers, inodes)
 * leaves nothing behind: the partial archive and unpacked copy are removed, and the error says the disk is full.
 */
export async function shipRelease(
  connection: ShipConnection,
  script: string,
  dir: string,
  content: ReleaseContent,
): Promise<string> {
  const base = connection.host.dir;
  const { hash } = content;
  const label = connection.host.label;
  const ask = async () =>
    parseReleaseAnswer((await connection.exec(shellLine(['sh', script, base, 'release', hash]))).stdout);
  const answer = await ask();
  if (answer.present) return releaseDir(base, hash);
  const refused = spaceProblem(connection.host, answer.freeKb, content);
  if (refused) throw new RuntimeError('unavailable', refused, { host: label });
  // tar with fixed arguments, no shell: the directory is an argument, never parsed.
  const local = await mkdtemp(join(tmpdir(), 'slipway-release-'));
  const remoteTar = `${base}/releases/${hash}.tar`;
  try {
    const archive = join(local, `${hash}.tar`);
    await execFileAsync('tar', ['-C', dir, '-cf', archive, '.']).catch((err: Error & { stderr?: string }) => {
      throw new RuntimeError(
        'failed',
        `cannot pack the release directory ${dir}: ${err.stderr?.trim() || err.message}`,
      );
    });
    await connection.putFile(archive, remoteTar).catch(async (err: unknown) => {
      // SFTP reports a full disk as a bare "Failure": ask df while the partial archive still fills it, then remove it.
      const after = await ask().catch(() => undefined);
      await connection.exec(shellLine(['rm', '-f', remoteTar])).catch(() => undefined);
      const freeKb = after && !after.present ? after.freeKb : undefined;
      if (freeKb !== undefined && freeKb * 1024 < 64 * 1024)
        throw new RuntimeError(
          'unavailable',
          `host ${label} has no space left on its disk: sending release ${hash} to ${base} filled it ` +
            `(${freeKb} KB free); the partial archive was removed`,
          { host: label },
        );
      throw err;
    });
  } finally {
    await rm(local, { recursive: true, force: true });
  }
  const unpacked = await connection.exec(shellLine(['sh', script, base, 'unpack', hash]), { timeoutMs: 120_000 });
  if (unpacked.code !== 0) {
    const stderr = unpacked.stderr.trim();
    // The host script removed the archive and the partial copy: nothing of this release is left there.
    if (noSpace.test(stderr))
      throw new RuntimeError(
        'unavailable',
        `host ${label} has no space left on its disk: unpacking release ${hash} in ${base} failed ` +
          `(${stderr.match(noSpace)?.[0]}); the partial copy was removed`,
        { host: label },
      );
    const why = stderr.split('\n').slice(0, 3).join(' / ') || `exit ${unpacked.code}`;
    throw new RuntimeError('unavailable', `host ${label} could not unpack release ${hash}: ${why}`, { host: label });
  }
  return releaseDir(base, hash);
}
