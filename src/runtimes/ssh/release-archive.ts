import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { RuntimeError } from '../local/errors.js';
import type { HostConnection } from './host-connection.js';
import { shellLine } from './shell-quote.js';

const execFileAsync = promisify(execFile);

/**
 * A release directory as content: sha256 over every file's relative path, mode and bytes, in a
 * fixed order (and the bytes, to check a host's free space). Two identical directories give the
 * same hash wherever they are, so a host that
 * already holds a release (shipped for an earlier instance) is never sent it again.
 */
export async function contentHash(dir: string): Promise<{ hash: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  const walk = async (rel: string): Promise<void> => {
    const entries = (await readdir(join(dir, rel), { withFileTypes: true })).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
    for (const entry of entries) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        hash.update(`d ${path}\0`);
        await walk(path);
      } else if (entry.isFile()) {
        const info = await stat(join(dir, path));
        bytes += info.size;
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
  return { hash: hash.digest('hex').slice(0, 32), bytes };
}

/** The remote directory a release with this hash is unpacked in. */
export function releaseDir(base: string, hash: string): string {
  return `${base}/releases/${hash}`;
}

/**
 * Make sure the host holds the release in `dir`: unpacked under `<base>/releases/<hash>`, shipped
 * as one tar stream over SFTP only when it is not there yet. Returns the remote directory.
 */
export async function shipRelease(
  connection: HostConnection,
  script: string,
  dir: string,
  content: { hash: string; bytes: number },
): Promise<string> {
  const base = connection.host.dir;
  const { hash, bytes } = content;
  const has = (await connection.exec(shellLine(['sh', script, base, 'release', hash]))).stdout.trim().split(' ');
  if (has[0] === 'yes') return releaseDir(base, hash);
  const free = Number(has[1]);
  if (Number.isFinite(free) && free * 1024 < bytes + 1024 * 1024)
    throw new RuntimeError(
      'unavailable',
      `host ${connection.host.label} has no space left on its disk: ${free} KB free in ${base}, the release ` +
        `needs ${Math.ceil(bytes / 1024)} KB`,
      { host: connection.host.label },
    );
  // tar with fixed arguments, no shell: the directory is an argument, never parsed.
  const local = await mkdtemp(join(tmpdir(), 'slipway-release-'));
  try {
    const archive = join(local, `${hash}.tar`);
    await execFileAsync('tar', ['-C', dir, '-cf', archive, '.']).catch((err: Error & { stderr?: string }) => {
      throw new RuntimeError(
        'failed',
        `cannot pack the release directory ${dir}: ${err.stderr?.trim() || err.message}`,
      );
    });
    await connection.putFile(archive, `${base}/releases/${hash}.tar`);
  } finally {
    await rm(local, { recursive: true, force: true });
  }
  const unpacked = await connection.exec(shellLine(['sh', script, base, 'unpack', hash]), { timeoutMs: 120_000 });
  if (unpacked.code !== 0) {
    const why = unpacked.stderr.trim().split('\n').slice(0, 3).join(' / ') || `exit ${unpacked.code}`;
    throw new RuntimeError('unavailable', `host ${connection.host.label} could not unpack release ${hash}: ${why}`, {
      host: connection.host.label,
    });
  }
  return releaseDir(base, hash);
}
