import type { Command } from 'commander';
import { loadConfig } from '../../config/load.js';
import type { GlobalOptions } from '../context.js';
import { parseHostPort } from '../../traffic/proxy/address.js';
import { CliError } from '../errors.js';

export function registerCoordinator(program: Command): void {
  program
    .command('coordinator')
    .description(
      'Run only the coordinator in the foreground, for process supervisors (SIGTERM stops it; instances and proxy ' +
        'keep serving)',
    )
    .option(
      '--listen <host:port>',
      "listen here instead of the config's coordinator address (a second coordinator on one machine, for the leader " +
        'lease)',
    )
    .action(async (opts: { listen?: string }, cmd: Command) => {
      const config = await loadConfig(cmd.optsWithGlobals<GlobalOptions>().config);
      const listen = opts.listen === undefined ? undefined : parseHostPort(opts.listen);
      if (opts.listen !== undefined && !listen)
        throw new CliError('invalid_input', `--listen: "${opts.listen}" is not host:port (e.g. 127.0.0.1:7071)`);
      let down: ((o: { stopInstances: boolean }) => void) | undefined;
      // Loaded here: `slipway --help` registers every command, and the coordinator is most of the CLI's code.
      const { startCoordinator } = await import('../../app/coordinator.js');
      const coordinator = await startCoordinator({
        config,
        databaseUrl: process.env.DATABASE_URL,
        ...(listen ? { listen } : {}),
        token: process.env.SLIPWAY_TOKEN,
        ...(process.env.SLIPWAY_TOKEN_NAME ? { tokenName: process.env.SLIPWAY_TOKEN_NAME } : {}),
        onShutdownRequest: (o) => down?.(o),
      });
      if (coordinator.generatedToken) process.stdout.write(`admin token (shown once): ${coordinator.generatedToken}\n`);
      process.stdout.write(
        `coordinator listening on ` +
          `${coordinator.url}${coordinator.resumed.length ? `; resumed ${coordinator.resumed.join(', ')}` : ''}\n`,
      );
      await new Promise<void>((resolve) => {
        down = (o) => void coordinator.close({ stopInstances: o.stopInstances }).finally(resolve);
        process.once('SIGTERM', () => down!({ stopInstances: false }));
        process.once('SIGINT', () => down!({ stopInstances: false }));
      });
    });
}
