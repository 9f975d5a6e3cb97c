import path from 'node:path';
import { parseDuration } from '../shared/duration.js';
import { parseSize } from './alerts-schema.js';
import type { AlertRuleOverride, EnvironmentAlerts, ServiceResources } from './model.js';
import type { ParsedConfig } from './schema.js';

type ParsedAlerts = ParsedConfig['environments'][string]['alerts'];
type ParsedResources = NonNullable<ParsedConfig['services'][string]['resources']>;

const ms = (d: string | number) => parseDuration(d) ?? 0;

/** `alerts:` → durations in ms, overrides with only the fields given. */
export function normalizeAlerts(alerts: ParsedAlerts): EnvironmentAlerts {
  const rules: Record<string, AlertRuleOverride> = {};
  for (const [name, rule] of Object.entries(alerts.rules)) {
    if (!rule) continue;
    rules[name] = {
      ...(rule.enabled !== undefined ? { enabled: rule.enabled } : {}),
      ...(rule.threshold !== undefined ? { threshold: rule.threshold } : {}),
      ...(rule.for !== undefined ? { forMs: ms(rule.for) } : {}),
      ...(rule.keepFiringFor !== undefined ? { keepFiringForMs: ms(rule.keepFiringFor) } : {}),
      ...(rule.window !== undefined ? { windowMs: ms(rule.window) } : {}),
    };
  }
  return {
    enabled: alerts.enabled,
    evaluateEveryMs: Math.max(ms(alerts.evaluateEvery), 1000),
    repeatIntervalMs: ms(alerts.repeatInterval),
    tls: alerts.tls,
    ...(alerts.authErrors !== undefined ? { authErrors: alerts.authErrors } : {}),
    rules,
  };
}

/** `resources:` → bytes and absolute paths ({version} kept). */
export function normalizeResources(resources: ParsedResources, base: string): ServiceResources {
  const memoryBytes = resources.memory === undefined ? undefined : parseSize(resources.memory);
  return {
    ...(memoryBytes !== undefined ? { memoryBytes } : {}),
    volumes: resources.volumes.map((v) => path.resolve(base, v)),
  };
}
