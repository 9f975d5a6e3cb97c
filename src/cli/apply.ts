import { configDigest } from '../config/digest.js';
import { loadConfigWithRaw } from '../config/load.js';
import { validateConfigObject } from '../config/validate.js';
import { isSlipwayError, SlipwayError } from '../shared/errors.js';
import type { CommandContext } from './context.js';

/**
 * Send slipway.yaml to the coordinator, unless it already has exactly this config. Applying
 * needs admin on '*', so checking first lets a token scoped to deploying (CI) deploy with an
 * unchanged slipway.yaml. The digest is the coordinator's own function (configDigest) of the same
 * validated config; when they differ, the config is just sent.
 */
export async function applyProject(ctx: CommandContext): Promise<void> {
  if (!ctx.config?.configPath) return;
  const { raw } = await loadConfigWithRaw(ctx.config.configPath);
  const body = { config: raw, baseDir: ctx.config.baseDir, file: ctx.config.configPath };
  const path = `/api/v1/projects/${encodeURIComponent(ctx.project)}`;
  const current = await ctx.client.call<{ project: { digest: string } }>('GET', path).catch((e: unknown) => {
    if (isSlipwayError(e) && e.code === 'not_found') return undefined;
    throw e;
  });
  const digest = configDigest(validateConfigObject(raw, body));
  if (current?.project.digest === digest) return;
  await ctx.client.call('PUT', path, body).catch((e: unknown) => {
    if (isSlipwayError(e) && e.code === 'forbidden') {
      throw new SlipwayError(
        'forbidden',
        `${ctx.config?.configPath} differs from the config the coordinator has for project ${ctx.project}, and ` +
          `applying it is refused: ${e.message} (an admin applies config changes)`,
      );
    }
    throw e;
  });
}
