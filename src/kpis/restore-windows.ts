import type { DeploymentFact } from './model.js';

/** From the first bad deployment of a service until it was stable on a good release again. */
export interface RestoreWindow {
  environment: string;
  service: string;
  from: number;
  /** Undefined: not restored yet. */
  to?: number;
  /** The bad deployments inside the window. */
  deployments: string[];
}

/**
 * Time to restore measured on deployments: per service, a window opens when a bad release goes live and serves
 * users — a succeeded one that is reverted later (or regressed in its watch) when it finishes; one the engine rolls
 * back, or that failed after traffic moved to it (its rollback could not complete), when traffic first moved — and
 * closes when a deployment leaves a good release live. A rollout that the engine rolls back onto a good stable
 * release is one window of its own length. A deployment that failed or was rolled back before any traffic reached
 * it opens no window: the stable release kept serving, so it is a failed deployment (success rate, rollback
 * frequency, change failure rate) but not an outage; a window already open stays open.
 *
 * @param bad the deployments known to be bad (see change-failures.ts)
 */
export function restoreWindows(deployments: readonly DeploymentFact[], bad: ReadonlySet<string>): RestoreWindow[] {
  const byService = new Map<string, DeploymentFact[]>();
  for (const d of deployments) {
    const key = `${d.environment}\u0000${d.service}`;
    byService.set(key, [...(byService.get(key) ?? []), d]);
  }
  const windows: RestoreWindow[] = [];
  for (const list of byService.values()) {
    const ordered = [...list].sort((a, b) => a.finishedAt - b.finishedAt || a.startedAt - b.startedAt);
    let open: RestoreWindow | undefined;
    // Is the release live now one a bad deployment put there?
    let liveBad = false;
    for (const d of ordered) {
      // Never served: the release live before it still is, bad or good, so nothing opens or closes.
      if (d.state !== 'succeeded' && d.trafficShiftedAt === undefined) continue;
      if (d.state === 'succeeded') {
        const isBad = bad.has(d.id);
        if (isBad) {
          open ??= { environment: d.environment, service: d.service, from: d.finishedAt, deployments: [] };
          open.deployments.push(d.id);
        } else if (open) {
          windows.push({ ...open, to: d.finishedAt });
          open = undefined;
        }
        liveBad = isBad;
      } else if (d.state === 'rolled_back' && !liveBad && !open) {
        // Rolled back onto a good stable release: bad from the first shifted request to the rollback's end.
        windows.push({
          environment: d.environment,
          service: d.service,
          from: d.trafficShiftedAt!,
          to: d.finishedAt,
          deployments: [d.id],
        });
      } else {
        // Failed after it served, or rolled back onto a release that is itself bad: not stable until a good release
        // is live.
        open ??= { environment: d.environment, service: d.service, from: d.trafficShiftedAt!, deployments: [] };
        open.deployments.push(d.id);
        if (d.state === 'failed') liveBad = true;
      }
    }
    if (open) windows.push(open);
  }
  return windows.sort((a, b) => a.from - b.from);
}
