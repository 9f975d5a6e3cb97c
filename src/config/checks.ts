/**
 * Checks that span several keys (addresses that collide, overrides naming undeclared
 * environments, routes two services share, placeholders in the wrong place). They read the
 * raw input defensively so they can report alongside schema problems in one pass.
 */
import type { RawIssue } from './messages.js';
import { checkListenAddresses } from './check-listen.js';
import { checkPlaceholders } from './check-placeholders.js';
import { checkPipeline } from './check-pipeline.js';
import { checkTriggers } from './check-triggers.js';
import { checkSso } from './check-sso.js';
import { checkAccess } from './check-access.js';
import { checkDependsOn } from './check-depends-on.js';
import { checkStatic } from './check-static.js';
import { checkNotifications } from './check-notifications.js';
import { checkKubernetesHosts } from './check-kubernetes.js';
import { checkProxyKind } from './check-proxy.js';
import { entriesOf, field, isMapping } from './raw.js';
import { hint } from './suggest.js';

/** Every cross-field problem in a raw config object. */
export function crossFieldIssues(raw: unknown): RawIssue[] {
  return [
    ...checkListenAddresses(raw),
    ...checkOverrideEnvironments(raw),
    ...checkRoutes(raw),
    ...checkRolling(raw),
    ...checkPlaceholders(raw),
    ...checkDatabaseService(raw),
    ...checkPipeline(raw),
    ...checkTriggers(raw),
    ...checkSso(raw),
    ...checkAccess(raw),
    ...checkDependsOn(raw),
    ...checkStatic(raw),
    ...checkNotifications(raw),
    ...checkKubernetesHosts(raw),
    ...checkProxyKind(raw),
  ];
}

function checkOverrideEnvironments(raw: unknown): RawIssue[] {
  const declared = field(raw, 'environments');
  if (!isMapping(declared)) return []; // the schema reports a missing or malformed environments key
  const names = Object.keys(declared);
  const issues: RawIssue[] = [];
  for (const [service, config] of entriesOf(field(raw, 'services'))) {
    for (const [environment] of entriesOf(field(config, 'environments'))) {
      if (!names.includes(environment)) {
        issues.push({
          path: ['services', service, 'environments', environment],
          message: `unknown environment "${environment}"${hint(environment, names, 'a declared environment')}`,
        });
      }
    }
  }
  return issues;
}

/** Routes are per service and every environment runs every service, so a shared route collides in each one. */
function checkRoutes(raw: unknown): RawIssue[] {
  const seen = new Map<string, string>();
  const issues: RawIssue[] = [];
  for (const [service, config] of entriesOf(field(raw, 'services'))) {
    const route = field(config, 'route');
    const pathPrefix = field(route, 'pathPrefix') ?? '/';
    const host = field(route, 'host');
    if (typeof pathPrefix !== 'string' || (host !== undefined && typeof host !== 'string')) continue;
    // "/api" and "/api/" match the same requests; host names are case-insensitive.
    const key = `${host?.toLowerCase() ?? '*'} ${pathPrefix.length > 1 ? pathPrefix.replace(/\/+$/, '') : pathPrefix}`;
    const owner = seen.get(key);
    if (owner === undefined) {
      seen.set(key, service);
      continue;
    }
    const what = `path prefix ${pathPrefix}${host === undefined ? ', any host' : `, host ${host}`}`;
    issues.push({
      path: ['services', service, 'route'],
      message:
        `same route as service "${owner}" (${what}); give one of them a different route.pathPrefix or ` + `route.host`,
    });
  }
  return issues;
}

function checkRolling(raw: unknown): RawIssue[] {
  const issues: RawIssue[] = [];
  const check = (strategy: unknown, path: PropertyKey[]) => {
    if (field(strategy, 'type') !== 'rolling') return;
    const isZero = (amount: unknown) => amount === 0 || amount === '0%';
    if (isZero(field(strategy, 'maxSurge') ?? 1) && isZero(field(strategy, 'maxUnavailable') ?? 0)) {
      issues.push({
        path,
        message: 'maxSurge and maxUnavailable cannot both be 0: the rollout could never replace an instance',
      });
    }
  };
  for (const [service, config] of entriesOf(field(raw, 'services'))) {
    check(field(config, 'strategy'), ['services', service, 'strategy']);
    for (const [environment, override] of entriesOf(field(config, 'environments'))) {
      check(field(override, 'strategy'), ['services', service, 'environments', environment, 'strategy']);
    }
  }
  return issues;
}

/** database.service must name a declared service, and is required when there are several. */
function checkDatabaseService(raw: unknown): RawIssue[] {
  const database = field(raw, 'database');
  if (!isMapping(database)) return [];
  const services = Object.keys(isMapping(field(raw, 'services')) ? (field(raw, 'services') as object) : {});
  const service = field(database, 'service');
  if (service === undefined) {
    return services.length > 1
      ? [
          {
            path: ['database'],
            message: `database.service is required when there are several services (one of: ${services.join(', ')})`,
          },
        ]
      : [];
  }
  if (typeof service === 'string' && services.length > 0 && !services.includes(service)) {
    return [
      {
        path: ['database', 'service'],
        message: `unknown service "${service}"${hint(service, services, 'a declared service')}`,
      },
    ];
  }
  return [];
}
