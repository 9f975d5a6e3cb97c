/**
 * Promotion rules and freeze windows: `requires` names environments earlier in the promotion
 * order, and each freeze is one well-formed window (cron + duration in a real time zone, or
 * from < until). Read from the raw input so every problem is reported in one pass.
 */
import { Cron } from 'croner';
import type { RawIssue } from './messages.js';
import { entriesOf, field, isMapping } from './raw.js';

export function checkPipeline(raw: unknown): RawIssue[] {
  const environments = field(raw, 'environments');
  if (!isMapping(environments)) return [];
  const order = Object.keys(environments);
  const issues: RawIssue[] = [];
  for (const [name, environment] of entriesOf(environments)) {
    const requires = field(environment, 'requires');
    if (Array.isArray(requires)) {
      requires.forEach((required, i) => {
        if (typeof required !== 'string') return;
        const at = order.indexOf(required);
        if (at === -1)
          issues.push({ path: ['environments', name, 'requires', i], message: `unknown environment "${required}"` });
        else if (at >= order.indexOf(name)) {
          issues.push({
            path: ['environments', name, 'requires', i],
            message:
              `"${required}" comes after "${name}" in the promotion order (environments are listed first to ` + `last)`,
          });
        }
      });
    }
    const freezes = field(environment, 'freezes');
    if (Array.isArray(freezes))
      for (const [i, freeze] of freezes.entries())
        issues.push(...checkFreeze(freeze, ['environments', name, 'freezes', i]));
  }
  return issues;
}

function checkFreeze(freeze: unknown, path: (string | number)[]): RawIssue[] {
  if (!isMapping(freeze)) return [];
  const cron = field(freeze, 'cron');
  const from = field(freeze, 'from');
  const until = field(freeze, 'until');
  const recurring = cron !== undefined || field(freeze, 'duration') !== undefined;
  const once = from !== undefined || until !== undefined;
  if (recurring === once)
    return [{ path, message: 'a freeze is either recurring (cron + duration) or one-off (from + until)' }];
  const issues: RawIssue[] = [];
  if (recurring) {
    if (cron === undefined) issues.push({ path, message: 'a recurring freeze needs cron (when each window starts)' });
    if (field(freeze, 'duration') === undefined)
      issues.push({ path, message: 'a recurring freeze needs duration (how long each window lasts)' });
    const timezone = field(freeze, 'timezone') ?? 'UTC';
    if (typeof timezone === 'string' && !validTimeZone(timezone))
      issues.push({
        path: [...path, 'timezone'],
        message: `unknown time zone "${timezone}" (expected an IANA name like Europe/London)`,
      });
    if (typeof cron === 'string') {
      try {
        new Cron(cron, {
          paused: true,
          timezone: typeof timezone === 'string' && validTimeZone(timezone) ? timezone : 'UTC',
        }).stop();
      } catch (e) {
        issues.push({ path: [...path, 'cron'], message: `invalid cron expression "${cron}": ${(e as Error).message}` });
      }
    }
  } else {
    if (from === undefined || until === undefined)
      issues.push({ path, message: 'a one-off freeze needs both from and until' });
    else if (typeof from === 'string' && typeof until === 'string' && Date.parse(from) >= Date.parse(until)) {
      issues.push({ path: [...path, 'until'], message: `until (${until}) must be after from (${from})` });
    }
  }
  return issues;
}

function validTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
