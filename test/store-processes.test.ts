import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { acquireDataDirLock } from '../src/store/data-dir-lock.js';
import { repoRoot } from './support/entry.js';

const fixture = join(repoRoot, 'test/fixtures/store-open.mjs');

/** Start the fixture; resolves with its first output line. */
function startFixture(
  args: string[],
  options: { asNobody?: boolean } = {},
): { child: ChildProcess; firstLine: Promise<string> } {
  const command = process.execPath;
  const commandArgs = [fixture, ...args];
  const child = options.asNobody
    ? // As user nobody, but allowed to read (not write) any file: the clone may sit under a private
      // directory (mktemp -d makes it 0700), and nobody must still load the code to run it.
      spawn(
        'setpriv',
        [
          '--reuid=65534',
          '--regid=65534',
          '--clear-groups',
          '--inh-caps=+dac_read_search',
          '--ambient-caps=+dac_read_search',
          command,
          ...commandArgs,
        ],
        { stdio: ['pipe', 'pipe', 'inherit'] },
      )
    : spawn(command, commandArgs, { stdio: ['pipe', 'pipe', 'inherit'] });
  const firstLine = new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
    });
    child.on('exit', (code) => reject(new Error(`fixture exited (${code}) before printing a line; output: ${out}`)));
  });
  return { child, firstLine };
}

describe('store across processes', () => {
  beforeAll(() => {
    expect(
      existsSync(join(repoRoot, 'dist/store/pglite-driver.js')),
      'dist/ is missing: run `npm run build` (npm test does)',
    ).toBe(true);
  });
  let parent: string;
  const children: ChildProcess[] = [];
  beforeEach(async () => {
    parent = await mkdtemp(join(tmpdir(), 'slipway-procs-'));
  });
  afterEach(async () => {
    for (const child of children.splice(0)) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await new Promise((resolve) => child.on('exit', resolve));
      }
    }
    await chmod(parent, 0o700).catch(() => undefined);
    await rm(parent, { recursive: true, force: true });
  });

  it(
    'refuses the data directory while another process holds it, and takes it over once that process is ' + 'killed',
    async () => {
      const dataDir = join(parent, 'db');
      const holder = startFixture(['lock', dataDir]);
      children.push(holder.child);
      expect(await holder.firstLine).toBe('locked');
      await expect(acquireDataDirLock(dataDir)).rejects.toThrow(
        `data directory ${dataDir} is in use by pid ${holder.child.pid}`,
      );
      // SIGKILL: no cleanup runs, the lock file stays behind with a dead pid.
      holder.child.kill('SIGKILL');
      await new Promise((resolve) => holder.child.on('exit', resolve));
      expect(existsSync(`${dataDir}.lock`)).toBe(true);
      await (await acquireDataDirLock(dataDir)).release();
    },
  );

  const canDropPrivileges = process.getuid?.() === 0 && existsSync('/usr/bin/setpriv');
  it('names the data directory a non-root user cannot write', async () => {
    expect(
      canDropPrivileges,
      'this test runs the store as user nobody through setpriv (util-linux): run the tests as root',
    ).toBe(true);
    // parent is root-owned and not writable by nobody; `existing` looks like a PGlite directory.
    await chmod(parent, 0o755);
    const existing = join(parent, 'existing');
    await mkdir(existing);
    await writeFile(join(existing, 'PG_VERSION'), '15\n');
    const writableParent = join(parent, 'open');
    await mkdir(writableParent, { mode: 0o777 });
    await chmod(writableParent, 0o777);
    await mkdir(join(writableParent, 'db'), { mode: 0o755 });
    await writeFile(join(writableParent, 'db', 'PG_VERSION'), '15\n');
    const cases: [string, string][] = [
      [
        join(parent, 'new', 'db'),
        `error invalid_input cannot create data directory ${join(parent, 'new', 'db')}: permission denied`,
      ],
      [
        existing,
        `error invalid_input cannot lock data directory ${existing}: permission denied (creating ${existing}.lock)`,
      ],
      [
        join(writableParent, 'db'),
        `error invalid_input data directory ${join(writableParent, 'db')} is not writable: permission denied`,
      ],
    ];
    for (const [dataDir, expected] of cases) {
      const run = startFixture(['open', dataDir], { asNobody: true });
      children.push(run.child);
      expect(await run.firstLine).toBe(expected);
    }
  });
});
