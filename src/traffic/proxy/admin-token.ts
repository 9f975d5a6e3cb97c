import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { link, mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { messageOf } from '../../shared/errors.js';
import { ProxyError } from './errors.js';

/** Environment variable that overrides the token file. */
export const adminTokenEnv = 'SLIPWAY_PROXY_TOKEN';
/** Token file inside the state directory (mode 0600). */
export const adminTokenFileName = 'admin-token';

/**
 * The admin API token: $SLIPWAY_PROXY_TOKEN, else <stateDir>/admin-token, created with a
 * random token when absent. The proxy and its clients (ProxyRouter, supervisor) call this
 * with the same state dir, so the token never travels on a command line.
 */
export async function loadAdminToken(stateDir: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const fromEnv = env[adminTokenEnv]?.trim();
  if (fromEnv) return fromEnv;
  const file = path.join(stateDir, adminTokenFileName);
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  // Written aside and linked into place: the file never exists half-written, and link() fails
  // with EEXIST for the loser of a race between two starters, which then reads the winner's token.
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, `${randomBytes(32).toString('base64url')}\n`, { flag: 'wx', mode: 0o600 });
    await link(temp, file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST')
      throw new ProxyError('unavailable', `could not create the admin token file ${file}: ${messageOf(e)}`, { file });
  } finally {
    await unlink(temp).catch(() => {});
  }
  const [text, info] = await Promise.all([readFile(file, 'utf8'), stat(file)]).catch((e: unknown) => {
    throw new ProxyError('unavailable', `could not read the admin token file ${file}: ${messageOf(e)}`, { file });
  });
  if ((info.mode & 0o077) !== 0)
    throw new ProxyError(
      'invalid_input',
      `admin token file ${file} is readable by other users; run: chmod 600 ${file}`,
      { file },
    );
  const token = text.trim();
  if (token === '')
    throw new ProxyError('invalid_input', `admin token file ${file} is empty; delete it to get a new token`, { file });
  return token;
}

/** A checker for `Authorization: Bearer <token>` that compares sha256 digests in constant time. */
export function bearerChecker(token: string): (authorization: string | undefined) => boolean {
  const expected = createHash('sha256').update(token).digest();
  return (authorization) => {
    if (authorization === undefined || !authorization.startsWith('Bearer ')) return false;
    const given = createHash('sha256').update(authorization.slice(7).trim()).digest();
    return timingSafeEqual(given, expected);
  };
}
