import type { InstanceSpec } from '../runtime.js';

/**
 * Slipway's own secrets, and which of its builds runs (SLIPWAY_ENTRY): inherited by the coordinator, never handed
 * to the user's processes. (SLIPWAY_RUN is handed on: it tags everything a command started, for its cleanup.)
 */
export const withheldEnv: readonly string[] = [
  'SLIPWAY_TOKEN',
  'SLIPWAY_PROXY_TOKEN',
  'DATABASE_URL',
  'SLIPWAY_MASTER_KEY',
  'SLIPWAY_ENTRY',
];

/**
 * The environment an instance runs with: the coordinator's (minus its secrets, and `withheld`: the variables the
 * projects' config names as Slipway's own, `env:NAME`), then the release env, then the environment's secrets (a
 * secret wins over config env of the same name: it is the deliberate, per-environment value), then the variables
 * Slipway owns, which neither can override.
 */
export function buildInstanceEnv(
  spec: InstanceSpec,
  port: number,
  parentEnv: NodeJS.ProcessEnv = process.env,
  secrets: Record<string, string> = {},
  withheld: ReadonlySet<string> = new Set(),
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(parentEnv)) {
    if (value !== undefined && !withheldEnv.includes(key) && !withheld.has(key)) env[key] = value;
  }
  Object.assign(env, spec.env, secrets);
  env.PORT = String(port);
  env.SLIPWAY_INSTANCE = spec.instanceId;
  env.SLIPWAY_SERVICE = spec.service;
  env.SLIPWAY_ENVIRONMENT = spec.environment;
  env.SLIPWAY_RELEASE = spec.release;
  return env;
}

/** Replace every `{port}` in the release's args (e.g. `--listen=127.0.0.1:{port}`). */
export function substitutePort(args: readonly string[], port: number): string[] {
  return args.map((arg) => arg.replaceAll('{port}', String(port)));
}
