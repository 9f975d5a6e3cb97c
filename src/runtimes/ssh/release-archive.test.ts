import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ExecResult } from './host-connection.js';
import { parseHostAddress } from './host-address.js';
import { contentHash, parseReleaseAnswer, type ShipConnection, shipRelease, spaceProblem } from './release-archive.js';

const host = parseHostAddress('ssh://deploy@127.0.0.9:2222/srv/slipway');

/** A host as shipRelease sees it: answers by command, records what was run and sent. */
function fakeHost(answers: { release: string[]; unpack?: ExecResult; putFails?: Error }) {
  const ran: string[] = [];
  const sent: string[] = [];
  const connection: ShipConnection = {
    host,
    exec: async (line: string) => {
      ran.push(line);
      if (line.includes("'release'")) return { code: 0, stdout: answers.release.shift() ?? 'no', stderr: '' };
      if (line.includes("'unpack'")) return answers.unpack ?? { code: 0, stdout: '', stderr: '' };
      return { code: 0, stdout: '', stderr: '' };
    },
    putFile: async (_local: string, remote: string) => {
      sent.push(remote);
      if (answers.putFails) throw answers.putFails;
    },
  };
  return { connection, ran, sent };
}

function release(files: Record<string, number>): string {
  const dir = mkdtempSync(join(tmpdir(), 'release-archive-'));
  for (const [name, size] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), Buffer.alloc(size, 'x'));
  }
  return dir;
}

describe('a host without the space for a release', () => {
  it('reads the release answer: present, absent with free kilobytes, absent without a df figure', () => {
    expect(parseReleaseAnswer('yes\n')).toEqual({ present: true });
    expect(parseReleaseAnswer('no 2048\n')).toEqual({ present: false, freeKb: 2048 });
    expect(parseReleaseAnswer('no \n')).toEqual({ present: false });
    expect(parseReleaseAnswer('no -\n')).toEqual({ present: false });
  });

  it('counts blocks, not bytes: 300 one-byte files need over 2 MB, though they hold 300 bytes', async () => {
    const dir = release(Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`f${i}`, 1])));
    const content = await contentHash(dir);
    expect(content.bytes).toBe(300);
    // Each: a 512-byte tar header and block, and a 4 KiB block unpacked; plus 1 MiB to spare.
    expect(content.needBytes).toBeGreaterThan(300 * (1024 + 4096) + 1024 * 1024);
    expect(spaceProblem(host, 2048, content)).toMatch(
      new RegExp(
        '^host deploy@127\\.0\\.0\\.9:2222 has no space left on its disk: 2048 KB free in /srv/slipway, ' +
          `release ${content.hash} needs \\d+ KB to ship \\(archive and unpacked copy\\)$`,
      ),
    );
    expect(spaceProblem(host, 4096, content)).toBeUndefined();
    expect(spaceProblem(host, undefined, content)).toBeUndefined(); // no df figure: try, and map ENOSPC if it comes
  });

  it('is refused before anything is sent, in one line naming the host', async () => {
    const dir = release({ 'big.bin': 3 * 1024 * 1024 });
    const { connection, sent } = fakeHost({ release: ['no 2048'] });
    const error = await shipRelease(connection, '/s', dir, await contentHash(dir)).catch((e: Error) => e);
    expect((error as Error).message).toMatch(
      /^host deploy@127\.0\.0\.9:2222 has no space left on its disk: 2048 KB free/,
    );
    expect((error as Error).message).not.toContain('\n');
    expect(sent).toEqual([]);
  });

  it('an unpack that fills the disk (ENOSPC, e.g. no inodes left) says so, naming the host', async () => {
    const dir = release({ 'a.js': 10 });
    const { connection } = fakeHost({
      release: ['no 900000'],
      unpack: { code: 2, stdout: '', stderr: 'tar: ./f17: Cannot open: No space left on device\ntar: Exiting\n' },
    });
    const error = (await shipRelease(connection, '/s', dir, await contentHash(dir)).catch((e: Error) => e)) as Error;
    expect(error.message).toBe(
      `host deploy@127.0.0.9:2222 has no space left on its disk: unpacking release ${(await contentHash(dir)).hash} ` +
        'in /srv/slipway failed (No space left on device); the partial copy was removed',
    );
  });

  it('an upload that fills the disk removes its partial archive and says the disk is full', async () => {
    const dir = release({ 'a.js': 10 });
    const { connection, ran } = fakeHost({ release: ['no 900000', 'no 12'], putFails: new Error('Failure') });
    const content = await contentHash(dir);
    const error = (await shipRelease(connection, '/s', dir, content).catch((e: Error) => e)) as Error;
    expect(error.message).toBe(
      `host deploy@127.0.0.9:2222 has no space left on its disk: sending release ${content.hash} to /srv/slipway ` +
        'filled it (12 KB free); the partial archive was removed',
    );
    expect(ran.at(-1)).toBe(`'rm' '-f' '/srv/slipway/releases/${content.hash}.tar'`);
  });

  it('an upload that fails for another reason still removes its partial archive, and keeps its error', async () => {
    const dir = release({ 'a.js': 10 });
    const { connection, ran } = fakeHost({
      release: ['no 900000', 'no 800000'],
      putFails: new Error('Permission denied'),
    });
    const error = (await shipRelease(connection, '/s', dir, await contentHash(dir)).catch((e: Error) => e)) as Error;
    expect(error.message).toBe('Permission denied');
    expect(ran.at(-1)).toMatch(/^'rm' '-f' '\/srv\/slipway\/releases\/\w+\.tar'$/);
  });
});
