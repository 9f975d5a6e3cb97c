import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { request } from 'undici';
import { dataPaths, prepareDataDir } from '../../app/data-dir.js';
import { cliCommand } from '../../app/proxy-command.js';
import { loadConfig } from '../../config/load.js';
import type { ProjectConfig } from '../../config/model.js';
import { formatDuration } from '../../shared/duration.js';
import { CliError } from '../errors.js';
import { bold, cyan, dim, yellow } from '../output.js';
import { tokenForUp } from '../token-setup.js';
import type { GlobalOptions } from '../context.js';
import { tailFile } from '../tail-file.js';
import { ApiClient } from '../client.js';
import { restartStopped } from '../restart-stopped.js';

/** Is a coordinator answering at this config's address? */
export async function coordinatorAnswers(config: ProjectConfig): Promise<boolean> {
  try {
    const res = await request(`http://${config.coordinator.listen}/healthz`, {
      headersTimeout: 1000,
      bodyTimeout: 1000,
    });
    await res.body.dump();
    return res.statusCode === 200;
  } catch {
    return false;
  }
}

/** What `up` prints once everything runs. */
export function upBanner(config: ProjectConfig, url: string, token?: string): string {
  const lines = [`${bold('slipway')} coordinator ${cyan(url)}  ${dim(`(data: ${config.dataDir})`)}`];
  for (const env of config.environments)
    lines.push(
      `  ${env.name.padEnd(12)} ${cyan(`http://${env.host === '0.0.0.0' ? '127.0.0.1' : env.host}:${env.port}`)}`,
    );
  if (token) {
    lines.push(
      '',
      yellow(`Admin token (shown once; saved for this machine's CLI in ${path.join(config.dataDir, 'cli-token')}):`),
      `  ${token}`,
    );
  }
  return lines.join('\n');
}

async function detach(config: ProjectConfig, token: string, created: boolean): Promise<void> {
  const paths = dataPaths(config.dataDir);
  const out = openSync(paths.coordinatorOut, 'a');
  const [node, args] = cliCommand(['coordinator', '--config', config.configPath!]);
  const child = spawn(node, args, {
    detached: true,
    stdio: ['ignore', out, out],
    env: { ...process.env, SLIPWAY_TOKEN: token },
  });
  child.unref();
  const started = Date.now();
  while (Date.now() - started < 90_000) {
    if (await coordinatorAnswers(config)) {
      const banner = upBanner(config, `http://${config.coordinator.listen}`, created ? token : undefined);
      const background = dim(`running in the background (pid ${child.pid}); stop everything with: slipway down`);
      process.stdout.write(`${banner}\n${background}\n`);
      await printRestarts(config, `http://${config.coordinator.listen}`, token);
      return;
    }
    if (child.exitCode !== null || (child.pid && !isAlive(child.pid))) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const tail = await tailFile(paths.coordinatorOut, 15);
  throw new CliError(
    'unavailable',
    `the coordinator did not come up within ${formatDuration(Date.now() - started)}; last lines of ` +
      `${paths.coordinatorOut}:\n${tail.join('\n')}`,
  );
}

/** Start again what `down` stopped (restart-stopped.ts), and say so. */
async function printRestarts(config: ProjectConfig, url: string, token: string): Promise<void> {
  const client = new ApiClient(url, token);
  for (const line of await restartStopped(client, config.project)) process.stdout.write(`${line}\n`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function registerUp(program: Command): void {
  program
    .command('up')
    .description('Start the coordinator and the proxy (foreground: Ctrl-C stops everything, instances included)')
    .option('-d, --detach', 'run in the background and return once it answers')
    .action(async (opts: { detach?: boolean }, cmd: Command) => {
      const global = cmd.optsWithGlobals<GlobalOptions>();
      const config = await loadConfig(global.config);
      if (await coordinatorAnswers(config)) {
        process.stdout.write(`a coordinator is already running at http://${config.coordinator.listen}\n`);
        return;
      }
      prepareDataDir(config.dataDir);
      const { token, created } = tokenForUp(config.dataDir);
      if (opts.detach) return detach(config, token, created);

      let stop: (why: string) => void = () => undefined;
      // Loaded here: `slipway --help` registers every command, and the coordinator is most of the CLI's code.
      const { startCoordinator } = await import('../../app/coordinator.js');
      const coordinator = await startCoordinator({
        config,
        databaseUrl: process.env.DATABASE_URL,
        token,
        onShutdownRequest: () => stop('slipway down'),
      });
      process.stdout.write(`${upBanner(config, coordinator.url, created ? token : undefined)}\n`);
      if (coordinator.resumed.length > 0)
        process.stdout.write(
          `resumed ${coordinator.resumed.length} deployment(s) in flight: ${coordinator.resumed.join(', ')}\n`,
        );
      await printRestarts(config, coordinator.url, token);
      process.stdout.write(dim('Ctrl-C stops the coordinator, the proxy and every instance\n'));
      await new Promise<void>((resolve) => {
        let stopping = false;
        stop = (why: string) => {
          if (stopping) return;
          stopping = true;
          process.stdout.write(`\n${why}: stopping instances, proxy and coordinator…\n`);
          coordinator.close({ stopInstances: true }).then(resolve, (e) => {
            process.stderr.write(`slipway: error while stopping: ${(e as Error).message}\n`);
            resolve();
          });
        };
        process.once('SIGINT', () => stop('interrupted'));
        process.once('SIGTERM', () => stop('terminated'));
      });
    });
}
