import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command, OptionValues } from 'commander';
import type { ProjectConfig } from '../config/model.js';
import { ApiClient } from './client.js';
import { slipwayUrl } from './coordinator-url.js';
import { CliError } from './errors.js';

/** The options every project command shares. */
export interface GlobalOptions {
  config?: string;
  project?: string;
}

/**
 * A subcommand's options as the user wrote them. When a command and its subcommand define the same option
 * (`errors --json` and `errors show --json`, `alerts --env` and `alerts export-rules --env`), commander gives it to
 * the parent wherever it appears, and the subcommand's own opts() lack it: read them merged with the ancestors'.
 */
export function subcommandOptions<T extends OptionValues>(cmd: Command): T {
  return cmd.optsWithGlobals<T>();
}

/** slipway.yaml unless --config says otherwise (the same default as src/config/load.ts). */
export const defaultConfigFile = 'slipway.yaml';

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
  /** The validated config: present when the command asked for it (it applies or reads the config). */
  config?: ProjectConfig;
  project: string;
  client: ApiClient;
}

/** Where to find the coordinator and the project, from slipway.yaml. */
export interface Address {
  project: string;
  host: string;
  port: number;
  dataDir: string;
}

/**
 * Resolve config, coordinator address and token for a command. The coordinator is SLIPWAY_URL
 * or the config's coordinator.listen; the token is SLIPWAY_TOKEN or the token file `slipway up`
 * wrote into the data directory. Commands that only talk to the coordinator read the three keys
 * they need from slipway.yaml without validating (and loading the validator of) the whole file;
 * `{ config: true }` validates it, for commands that apply it.
 */
export async function commandContext(opts: GlobalOptions, needs: { config?: boolean } = {}): Promise<CommandContext> {
  const file = opts.config ?? defaultConfigFile;
  const url = slipwayUrl();
  if (!opts.config && !existsSync(file) && url && opts.project) {
    return { project: opts.project, client: new ApiClient(url, process.env.SLIPWAY_TOKEN) };
  }
  let config: ProjectConfig | undefined;
  let address = needs.config ? undefined : quickAddress(file);
  if (!address) {
    // Validated (with key paths and lines in its errors), and then the address is the config's.
    const { loadConfig } = await import('../config/load.js');
    config = await loadConfig(file);
    address = { project: config.project, ...config.coordinator, dataDir: config.dataDir };
  }
  if (opts.project && opts.project !== address.project) {
    throw new CliError(
      'invalid_input',
      `--project ${opts.project} does not match project "${address.project}" in ${file}`,
    );
  }
  const base = url ?? `http://${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`;
  const token = process.env.SLIPWAY_TOKEN ?? readCliToken(address.dataDir);
  return { ...(config ? { config } : {}), project: address.project, client: new ApiClient(base, token) };
}

/**
 * project, coordinator.listen and dataDir read straight from the YAML text, or undefined when the
 * file is missing or does not give them plainly — then the full load reports any problem with its
 * line. (Parsing YAML and validating the schema cost a read command more than its request.)
 */
export function quickAddress(file: string): Address | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const project = /^project:[ \t]*(["']?)([a-z0-9][a-z0-9-]*)\1[ \t]*(#.*)?$/m.exec(text)?.[2];
  if (!project) return undefined;
  // coordinator: { listen: host:port }, or a block with an indented listen: as `slipway init` writes it.
  const coordinator = /^coordinator:[ \t]*(\{[^}\n]*\}|(?:\n[ \t]+.*|\n[ \t]*(?=\n))*)/m.exec(text)?.[1] ?? '';
  const listen = /(?:^|[\s{,])listen:[ \t]*(["']?)([^\s,'"}#]+)\1/.exec(coordinator)?.[2] ?? '127.0.0.1:7420';
  const match = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(listen);
  if (!match) return undefined;
  const dataDir = /^dataDir:[ \t]*(["']?)([^'"#\n]+?)\1[ \t]*(#.*)?$/m.exec(text)?.[2] ?? '.slipway';
  return {
    project,
    host: match[1]!.replace(/^\[(.*)\]$/, '$1'),
    port: Number(match[2]),
    dataDir: path.resolve(path.dirname(path.resolve(file)), dataDir),
  };
}

/**
 * A client for commands about the coordinator itself (tokens), which need no project: with
 * SLIPWAY_URL and no slipway.yaml here, that address; otherwise as for project commands.
 */
export async function coordinatorClient(opts: GlobalOptions): Promise<ApiClient> {
  const url = slipwayUrl();
  if (url && !opts.config && !existsSync(defaultConfigFile)) return new ApiClient(url, process.env.SLIPWAY_TOKEN);
  return (await commandContext(opts)).client;
}
