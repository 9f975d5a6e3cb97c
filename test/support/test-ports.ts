import { mkdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isPortFree } from '../../src/runtimes/local/port.js';

/**
 * Ports for the servers a test starts itself (coordinators, proxies, upstreams, Prometheus).
 *
 * A port found free is bound only later, by the process the test starts; meanwhile a test file
 * running beside it could be handed the same port (both asked the kernel for "any free port") and
 * one of them answers the other's requests (CI saw a proxy check get another server's 404). So test
 * ports come from below the kernel's ephemeral range (32768–60999 here), where no `listen(0)` of an
 * instance or a client socket lands, and each is claimed by an exclusive file that every test
 * process on this machine respects. A claim older than `staleMs` is taken back (its test is over).
 */
const claims = path.join(tmpdir(), 'slipway-test-ports');
const range = { from: 20_000, to: 32_000 };
const staleMs = 10 * 60_000;

export async function reservePort(taken: ReadonlySet<number> = new Set()): Promise<number> {
  mkdirSync(claims, { recursive: true });
  const size = range.to - range.from + 1;
  const start = Math.floor(Math.random() * size);
  for (let i = 0; i < size; i++) {
    const port = range.from + ((start + i) % size);
    if (!taken.has(port) && claim(port) && (await isPortFree(port))) return port;
  }
  throw new Error(`no free test port in ${range.from}-${range.to} (claims in ${claims})`);
}

/** Two neighbouring ports (p, p + 1), both claimed: for a `runtime.ports` range of two. */
export async function reservePortPair(): Promise<number> {
  mkdirSync(claims, { recursive: true });
  const size = range.to - range.from;
  const start = Math.floor(Math.random() * size);
  for (let i = 0; i < size; i++) {
    const port = range.from + ((start + i) % size);
    if (!claim(port)) continue;
    if (claim(port + 1) && (await isPortFree(port)) && (await isPortFree(port + 1))) return port;
    // Only a pair is any use: give the one (or two) back for other tests.
    unclaim(port);
    unclaim(port + 1);
  }
  throw new Error(`no two free neighbouring test ports in ${range.from}-${range.to} (claims in ${claims})`);
}

function unclaim(port: number): void {
  try {
    const file = path.join(claims, String(port));
    if (readFileSync(file, 'utf8') === String(process.pid)) unlinkSync(file);
  } catch {
    // Not ours, or gone already.
  }
}

function claim(port: number): boolean {
  const file = path.join(claims, String(port));
  if (create(file)) return true;
  try {
    if (Date.now() - statSync(file).mtimeMs < staleMs) return false;
    // Rename first: of two processes taking back the same stale claim, only one rename succeeds.
    const stale = `${file}.stale-${process.pid}-${Math.random().toString(36).slice(2)}`;
    renameSync(file, stale);
    unlinkSync(stale);
  } catch {
    return false;
  }
  return create(file);
}

function create(file: string): boolean {
  try {
    writeFileSync(file, String(process.pid), { flag: 'wx' });
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}
