import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig, defaultConfigFile } from '../config/load.js';
import type { ProjectConfig } from '../config/model.js';
import { ApiClient } from './client.js';
import { CliError } from './errors.js';

/** The options every project command shares. */
export interface GlobalOptions {
  config?: string;
  project?: string;
}

/** The file `slipway up` writes the generated admin token to, for the CLI on this machine (0600). */
export function cliTokenFile(dataDir: string): string {
  return path.join(dataDir, 'cli-token');
}

/** Read the CLI token file, if any. */
export function readCliToken(dataDir: string): string | undefined {
  const file = cliTokenFile(dataDir);
  return existsSync(file) ? readFileSync(file, 'utf8').trim() || undefined : undefined;
}

export interface CommandContext {
  /** Absent only when the coordinator is given by SLIPWAY_URL and the project by --project. */
  config?: ProjectConfig;
  project: string;
  client: ApiClient;
}

/**
 * Resolve config, coordinator address and token for a command. The coordinator is
 * SLIPWAY_URL or the config's coordinator.listen; the token is SLIPWAY_TOKEN or the token file
 * `slipway up` wrote into the data directory.
 */
export async function commandContext(opts: GlobalOptions): Promise<CommandContext> {
  const file = opts.config ?? defaultConfigFile;
  const url = process.env.SLIPWAY_URL;
  if (!opts.config && !existsSync(file) && url && opts.project) {
    return { project: opts.project, client: new ApiClient(url, process.env.SLIPWAY_TOKEN) };
  }
  const config = await loadConfig(file);
  if (opts.project && opts.project !== config.project) {
    throw new CliError(
      'invalid_input',
      `--project ${opts.project} does not match project "${config.project}" in ${file}`,
    );
  }
  const base =
    url ??
    `http://${config.coordinator.host.includes(':') ? `[${config.coordinator.host}]` : config.coordinator.host}:${config.coordinator.port}`;
  const token = process.env.SLIPWAY_TOKEN ?? readCliToken(config.dataDir);
  return { config, project: config.project, client: new ApiClient(base, token) };
}

/**
 * A client for commands about the coordinator itself (tokens), which need no project: with
 * SLIPWAY_URL and no slipway.yaml here, that address; otherwise as for project commands.
 */
export async function coordinatorClient(opts: GlobalOptions): Promise<ApiClient> {
  const url = process.env.SLIPWAY_URL;
  if (url && !opts.config && !existsSync(defaultConfigFile)) return new ApiClient(url, process.env.SLIPWAY_TOKEN);
  return (await commandContext(opts)).client;
}
