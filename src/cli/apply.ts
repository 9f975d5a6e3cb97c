import { loadConfigWithRaw } from '../config/load.js';
import type { CommandContext } from './context.js';

/** Send slipway.yaml to the coordinator (idempotent: unchanged config is a no-op there). */
export async function applyProject(ctx: CommandContext): Promise<void> {
  if (!ctx.config?.configPath) return;
  const { raw } = await loadConfigWithRaw(ctx.config.configPath);
  await ctx.client.call('PUT', `/api/v1/projects/${encodeURIComponent(ctx.project)}`, { config: raw, baseDir: ctx.config.baseDir, file: ctx.config.configPath });
}
