import { isSlipwayError } from '../shared/errors.js';
import type { ApiClient } from './client.js';
import type { RolloutView } from './render-rollout.js';

/** How long to keep asking while the coordinator is away (it may be restarting mid-release). */
const reconnectForMs = 120_000;

/**
 * Follow a rollout until it ends, calling `onChange` with each component whose phase changed. It
 * asks four times a second: a rollout changes a few times a minute, and its deployments' own events
 * are one `slipway status` away.
 */
export async function followRollout(
  client: ApiClient,
  start: RolloutView,
  onChange: (r: RolloutView, changed: RolloutView['components']) => void,
  until: (r: RolloutView) => boolean = (r) => r.state !== 'running' && r.state !== 'rolling_back',
): Promise<RolloutView> {
  const seen = new Map<string, string>();
  let r = start;
  let awaySince: number | undefined;
  for (;;) {
    const changed = r.components.filter((c) => seen.get(c.service) !== `${c.phase} ${c.deployment} ${c.rollback}`);
    for (const c of changed) seen.set(c.service, `${c.phase} ${c.deployment} ${c.rollback}`);
    if (changed.length > 0) onChange(r, changed);
    if (until(r)) return r;
    await new Promise((resolve) => setTimeout(resolve, 250));
    try {
      r = (await client.call<{ rollout: RolloutView }>('GET', `/api/v1/rollouts/${encodeURIComponent(r.id)}`)).rollout;
      awaySince = undefined;
    } catch (e) {
      if (!isSlipwayError(e) || e.code !== 'unavailable') throw e;
      awaySince ??= Date.now();
      if (Date.now() - awaySince > reconnectForMs) throw e;
    }
  }
}
