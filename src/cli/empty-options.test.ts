import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { refuseEmptyOptions } from './empty-options.js';

/** A program shaped like main.ts builds it: a global option, a command with value options, the hook. */
async function run(args: string[]): Promise<unknown> {
  const program = new Command('slipway').option('-c, --config <path>').exitOverride();
  program.hook('preAction', (_root, action) => refuseEmptyOptions(action));
  program
    .command('deploy')
    .option('--at <time>')
    .option('--set <KEY=VALUE>', '', (v: string, all: string[]) => [...all, v], [])
    .option('--wait')
    .action(() => {});
  try {
    await program.parseAsync(['node', 'slipway', ...args]);
    return 'ran';
  } catch (e) {
    return e;
  }
}

describe('refuseEmptyOptions', () => {
  it('refuses an empty value, naming the option, as invalid input (exit 2)', async () => {
    const e = (await run(['deploy', '--at', ''])) as { code: string; message: string };
    expect(e.code).toBe('invalid_input');
    expect(e.message).toMatch(/^--at needs a value/);
    expect(await run(['deploy', '--at='])).toMatchObject({ message: expect.stringMatching(/^--at /) });
  });

  it('checks repeatable and global options too', async () => {
    expect(await run(['deploy', '--set', 'A=1', '--set', ' '])).toMatchObject({ message: /^--set / });
    expect(await run(['-c', '', 'deploy'])).toMatchObject({ message: /^--config / });
  });

  it('lets given values and flags through', async () => {
    expect(await run(['deploy', '--at', '2026-12-05T22:00:00Z', '--wait', '--set', 'A=1'])).toBe('ran');
    expect(await run(['deploy'])).toBe('ran');
  });
});
