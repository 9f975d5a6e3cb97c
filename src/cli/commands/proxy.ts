import type { Command } from 'commander';

export function registerProxy(program: Command): void {
  program
    .command('proxy')
    .description('Run the data plane (started for you by `slipway up`)')
    .requiredOption('--admin <host:port>', 'loopback address of the admin API')
    .requiredOption('--state-dir <dir>', 'where routes.json and the admin token live')
    .option(
      '--workers <n>',
      'worker processes serving traffic (default: one per core but one, at least one; 0: serve in one process)',
    )
    .action(async (opts: { admin: string; stateDir: string; workers?: string }) => {
      const workers = opts.workers === undefined ? [] : ['--workers', opts.workers];
      const { runProxyProcess } = await import('../../traffic/proxy/process.js');
      await runProxyProcess(['--admin', opts.admin, '--state-dir', opts.stateDir, ...workers]);
      // runProxyProcess keeps the process alive until a signal; never return to main's exit.
      await new Promise(() => undefined);
    });
}
