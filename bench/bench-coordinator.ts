import { generateToken } from '../src/api/auth.js';
import { cliCommand } from '../src/app/proxy-command.js';
import { ApiClient } from '../src/cli/client.js';
import { onExit } from '../src/shared/exit-cleanup.js';
import { launch, shutDownCoordinator, waitForHttp } from './support.js';

/**
 * A benchmark's own coordinator process (`slipway coordinator`) on a workspace, with a fresh admin token, on
 * PostgreSQL when `databaseUrl` is given, under `node --cpu-prof` when `cpuProf` names a directory. Shut down when the
 * benchmark ends however it ends; answers /healthz when this resolves.
 */
export async function startBenchCoordinator(
  workspace: { configPath: string; ports: { coordinator: number } },
  options: { databaseUrl?: string; cpuProf?: string } = {},
) {
  const token = generateToken();
  const env: Record<string, string> = { SLIPWAY_TOKEN: token };
  if (options.databaseUrl) env.DATABASE_URL = options.databaseUrl;
  const [node, args] = cliCommand(['coordinator', '--config', workspace.configPath]);
  const profile = options.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProf}`] : [];
  const coordinator = launch([node, [...profile, ...args]], env);
  const base = `http://127.0.0.1:${workspace.ports.coordinator}`;
  const client = new ApiClient(base, token);
  const shutdown = () => shutDownCoordinator(client, coordinator);
  onExit(shutdown);
  await waitForHttp(`${base}/healthz`, 120_000);
  return { coordinator, client, base, token, shutdown };
}
