import type { ProjectConfig } from '../config/model.js';
import { activeFreeze } from '../engine/pipeline/freeze.js';
import { inWindow, nextWindow, outsideWindows } from '../engine/pipeline/windows.js';
import { SlipwayError } from '../shared/errors.js';

/** A deployment asked for a later time, as the API receives it. */
export interface ScheduleRequest {
  service: string;
  environment: string;
  version: string;
  runAt: Date;
  notifyBeforeMs: number;
  emergency?: { reason: string };
}

/** How far ahead a deployment may be scheduled. */
export const furthestAheadMs = 366 * 86_400_000;

/**
 * Refuse a schedule that cannot work, naming the field: an unknown service or environment, a time in the past or
 * more than a year ahead, or one inside a freeze of the environment (unless it is an emergency, which the caller
 * authorized). The pipeline's other rules (earlier environments, approvals) are checked when it starts: they
 * may well be met by then (promotion-check.ts and approval-check.ts warn, or refuse what cannot be).
 */
export function refuseSchedule(config: ProjectConfig, req: ScheduleRequest, now: Date): void {
  const environment = config.environments.find((e) => e.name === req.environment);
  if (!environment)
    throw new SlipwayError(
      'not_found',
      `environment: "${req.environment}" is not declared (${config.environments.map((e) => e.name).join(', ')})`,
    );
  if (!config.services.some((s) => s.name === req.service))
    throw new SlipwayError('not_found', `service: "${req.service}" is not declared in project "${config.project}"`);
  if (req.runAt.getTime() <= now.getTime())
    throw new SlipwayError('invalid_input', `at: ${req.runAt.toISOString()} is in the past (now ${now.toISOString()})`);
  if (req.runAt.getTime() - now.getTime() > furthestAheadMs)
    throw new SlipwayError('invalid_input', `at: ${req.runAt.toISOString()} is more than 366 days ahead`);
  const outside = outsideWindows(environment, req.runAt);
  if (outside && !req.emergency)
    throw new SlipwayError(
      'conflict',
      `at: ${req.runAt.toISOString()} is outside the deployment windows: ${outside.message}; use --at next-window`,
      { window: { opensAt: outside.next.opensAt.toISOString(), window: outside.next.window } },
    );
  const freeze = activeFreeze(environment.freezes, req.runAt);
  if (freeze && !req.emergency)
    throw new SlipwayError(
      'conflict',
      `at: ${req.runAt.toISOString()} falls in a freeze of ${req.environment} (${freeze.message}, ${freeze.window}` +
        `${freeze.window.includes(' until ') ? '' : `, until ${freeze.endsAt.toISOString()}`}); pick a time after ` +
        'it, or an admin schedules it with --emergency',
      { freeze: { message: freeze.message, endsAt: freeze.endsAt.toISOString(), window: freeze.window } },
    );
}

/**
 * `at: next-window`: the next opening of the environment's deployment windows that no freeze covers
 * (a few openings are tried), or a refusal naming why there is none.
 */
export function nextWindowStart(config: ProjectConfig, environmentName: string, now: Date): Date {
  const environment = config.environments.find((e) => e.name === environmentName);
  if (!environment) throw new SlipwayError('not_found', `environment: "${environmentName}" is not declared`);
  const windows = environment.windows ?? [];
  if (windows.length === 0)
    throw new SlipwayError(
      'invalid_input',
      `at: next-window, but ${environmentName} has no deployment windows (environments.${environmentName}.windows)`,
    );
  let from = now;
  for (let i = 0; i < 50; i++) {
    const next = nextWindow(windows, from)!;
    const freeze = activeFreeze(environment.freezes, next.opensAt);
    if (!freeze) return next.opensAt;
    // A freeze that ends while a window is open: the window can be used from its end.
    if (inWindow(windows, freeze.endsAt) && !activeFreeze(environment.freezes, freeze.endsAt)) return freeze.endsAt;
    from = new Date(Math.max(next.opensAt.getTime(), freeze.endsAt.getTime()));
  }
  throw new SlipwayError(
    'conflict',
    `at: no opening of the ${environmentName} windows in the next 50 is free of freezes`,
  );
}
