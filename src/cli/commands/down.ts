import type { Command } from 'commander';
import { loadConfig } from '../../config/load.js';
import { ApiClient } from '../client.js';
import { slipwayUrl } from '../coordinator-url.js';
import { readCliToken, type GlobalOptions } from '../context.js';
import { CliError } from '../errors.js';
import { coordinatorAnswers } from './up.js';

export function registerDown(program: Command): void {
  program
    .command('down')
    .description('Stop what `slipway up` started: every instance, the proxy and the coordinator')
    .action(async (_opts: unknown, cmd: Command) => {
      const config = await loadConfig(cmd.optsWithGlobals<GlobalOptions>().config);
      if (await coordinatorAnswers(config)) {
        const client = new ApiClient(
          slipwayUrl() ?? `http://${config.coordinator.listen}`,
          process.env.SLIPWAY_TOKEN ?? readCliToken(config.dataDir),
        );
        await client.call('POST', '/api/v1/system/shutdown', { stopInstances: true });
        const started = Date.now();
        while (await coordinatorAnswers(config)) {
          if (Date.now() - started > 120_000)
            throw new CliError(
              'unavailable',
              `the coordinator at ${config.coordinator.listen} is still answering after 2 minutes`,
            );
          await new Promise((r) => setTimeout(r, 200));
        }
        process.stdout.write('stopped instances, proxy and coordinator\n');
        return;
      }
      // No coordinator: start one here just long enough to adopt what it recorded, then stop it all.
      // Loaded here: `slipway --help` registers every command, and the coordinator is most of the CLI's code.
      const { startCoordinator } = await import('../../app/coordinator.js');
      const coordinator = await startCoordinator({
        config,
        databaseUrl: process.env.DATABASE_URL,
        token: process.env.SLIPWAY_TOKEN ?? readCliToken(config.dataDir),
      });
      await coordinator.close({ stopInstances: true });
      process.stdout.write('the coordinator was not running; stopped the instances and proxy it had recorded\n');
    });
}
