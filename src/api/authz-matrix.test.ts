import { testApi } from '../../test/support/api-harness.js';
import Fastify, { type FastifyInstance, type InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineHarness, type Harness } from '../../test/support/engine-harness.js';
import { roles, type Role } from '../access/types.js';
import { newId } from '../shared/ids.js';
import { insertToken } from '../store/repos/tokens.js';
import { insertRollout } from '../store/repos/rollouts.js';
import { listInstances } from '../store/repos/instances.js';
import { openIncident } from '../incidents/actions.js';
import { generateToken, hashToken } from './auth.js';
import { registeredRoutes, requireRouteAccess } from './route-access.js';
import { ensureDsnKey } from '../observe/errors/dsn.js';
import { scheduleDeployment } from '../schedule/schedule.js';
import { finishAttempts, insertNotifyDeliveries, listNotifyDeliveries } from '../store/repos/notify-deliveries.js';

/**
 * The authorization matrix: every registered route × every role, from an explicit table. A route
 * missing from the table (or declaring other access than the table says) fails this test, so a
 * new route cannot be added without deciding who may call it.
 *
 * Where the environment comes from:
 * - public: no token needed
 * - dsn: Sentry-protocol ingest, authenticated by the DSN key the request carries; tokens neither grant nor deny
 * - star: project-wide, the role must be granted on '*'
 * - any: the request names no environment; any grant is enough (the route shows what the token may view)
 * - body / query / params / deployment / instance / rollout / incident / scheduled / notification: the request's
 *   environment
 *   (body.environment, query.environment, params.environment, or the stored record's environment)
 */
type Source =
  | 'public'
  | 'dsn'
  | 'star'
  | 'any'
  | 'body'
  | 'query'
  | 'params'
  | 'deployment'
  | 'instance'
  | 'rollout'
  | 'incident'
  | 'scheduled'
  | 'notification';
type Env = 'staging' | 'production';
interface Expectation {
  role: Role;
  source: Source;
  /** A request acting on `env`, valid enough to reach authorization (handlers may still 404/409 after it). */
  request: (env: Env) => InjectOptions;
}

type Seeded = {
  deployment: string;
  instance: string;
  rollout: string;
  incident: string;
  scheduled: string;
  notification: number;
};
const seeded: Record<Env, Seeded> = {
  staging: { deployment: '', instance: '', rollout: '', incident: '', scheduled: '', notification: 0 },
  production: { deployment: '', instance: '', rollout: '', incident: '', scheduled: '', notification: 0 },
};
const dep = (env: Env) => seeded[env].deployment;
const ins = (env: Env) => seeded[env].instance;
const rol = (env: Env) => seeded[env].rollout;
const inc = (env: Env) => seeded[env].incident;
const sch = (env: Env) => seeded[env].scheduled;
const dsn: Record<Env, { id: number; key: string }> = { staging: { id: 0, key: '' }, production: { id: 0, key: '' } };

const table: Record<string, Expectation> = {
  'GET /healthz': { role: 'viewer', source: 'public', request: () => ({ url: '/healthz' }) },
  'GET /metrics': { role: 'viewer', source: 'star', request: () => ({ url: '/metrics' }) },
  'GET /api/v1/system/leader': { role: 'viewer', source: 'star', request: () => ({ url: '/api/v1/system/leader' }) },
  'POST /api/v1/system/shutdown': {
    role: 'admin',
    source: 'star',
    request: () => ({ method: 'POST', url: '/api/v1/system/shutdown', payload: {} }),
  },
  // The dashboard's page and assets: public (the page holds no data; it calls /api/v1 with the session).
  'GET /': { role: 'viewer', source: 'public', request: () => ({ url: '/' }) },
  'GET /*': { role: 'viewer', source: 'public', request: () => ({ url: '/deployments/dep_x' }) },
  'GET /api/v1/openapi.json': { role: 'viewer', source: 'any', request: () => ({ url: '/api/v1/openapi.json' }) },
  'PUT /api/v1/projects/:project': {
    role: 'admin',
    source: 'star',
    request: () => ({ method: 'PUT', url: '/api/v1/projects/harbor', payload: { config: {}, baseDir: '/srv' } }),
  },
  'GET /api/v1/projects': { role: 'viewer', source: 'any', request: () => ({ url: '/api/v1/projects' }) },
  'GET /api/v1/projects/:project': {
    role: 'viewer',
    source: 'any',
    request: () => ({ url: '/api/v1/projects/harbor' }),
  },
  'GET /api/v1/projects/:project/status': {
    role: 'viewer',
    source: 'any',
    request: () => ({ url: '/api/v1/projects/harbor/status' }),
  },
  'GET /api/v1/projects/:project/overview': {
    role: 'viewer',
    source: 'any',
    request: () => ({ url: '/api/v1/projects/harbor/overview' }),
  },
  'GET /api/v1/projects/:project/migrations': {
    role: 'viewer',
    source: 'query',
    request: (env) => ({ url: `/api/v1/projects/harbor/migrations?environment=${env}` }),
  },
  'POST /api/v1/projects/:project/migrations/plan': {
    role: 'deployer',
    source: 'body',
    request: (env) => ({
      method: 'POST',
      url: '/api/v1/projects/harbor/migrations/plan',
      payload: { environment: env },
    }),
  },
  'GET /api/v1/projects/:project/services': {
    role: 'viewer',
    source: 'query',
    request: (env) => ({ url: `/api/v1/projects/harbor/services?environment=${env}` }),
  },
  'GET /api/v1/projects/:project/releases': {
    role: 'viewer',
    source: 'any',
    request: () => ({ url: '/api/v1/projects/harbor/releases' }),
  },
  'GET /api/v1/projects/:project/logs': {
    role: 'viewer',
    source: 'query',
    request: (env) => ({ url: `/api/v1/projects/harbor/logs?service=nope&environment=${env}` }),
  },
  'POST /api/v1/projects/:project/deployments': {
    role: 'deployer',
    source: 'body',
    request: (environment) => ({
      method: 'POST',
      url: '/api/v1/projects/harbor/deployments',
      payload: { service: 'nope', environment, version: '9.9.9' },
    }),
  },
  'GET /api/v1/projects/:project/pipeline': {
    role: 'viewer',
    source: 'any',
    request: () => ({ url: '/api/v1/projects/harbor/pipeline' }),
  },
  'POST /api/v1/projects/:project/approvals': {
    role: 'viewer',
    source: 'body',
    // The harness environments need no approvals: an allowed caller gets the handler's 409.
    request: (environment) => ({
      method: 'POST',
      url: '/api/v1/projects/harbor/approvals',
      payload: { version: '9.9.9', environment, decision: 'approve' },
    }),
  },
  'GET /api/v1/projects/:project/approvals': {
    role: 'viewer',
    source: 'query',
    request: (env) => ({ url: `/api/v1/projects/harbor/approvals?environment=${env}` }),
  },
  'POST /api/v1/projects/:project/releases/:version/promote': {
    role: 'deployer',
    source: 'body',
    request: (environment) => ({
      method: 'POST',
      url: '/api/v1/projects/harbor/releases/9.9.9/promote',
      payload: { environment, service: 'nope' },
    }),
  },
  'POST /api/v1/projects/:project/rollouts': {
    role: 'deployer',
    source: 'body',
    request: (environment) => ({
      method: 'POST',
      url: '/api/v1/projects/harbor/rollouts',
      payload: { environment, version: '9.9.9', services: ['nope'] },
    }),
  },
  'GET /api/v1/projects/:project/rollouts': {
    role: 'viewer',
    source: 'query',
    request: (env) => ({ url: `/api/v1/projects/harbor/rollouts?environment=${env}` }),
  },
  'GET /api/v1/rollouts/:id': {
    role: 'viewer',
    source: 'rollout',
    request: (env) => ({ url: `/api/v1/rollouts/${rol(env)}` }),
  },
  'POST /api/v1/rollouts/:id/rollback': {
    role: 'deployer',
    source: 'rollout',
    request: (env) => ({ method: 'POST', url: `/api/v1/rollouts/${rol(env)}/rollback` }),
  },
  'POST /api/v1/projects/:project/rollbacks': {
    role: 'deployer',
    source: 'body',
    request: (environment) => ({
      method: 'POST',
      url: '/api/v1/projects/harbor/rollbacks',
      payload: { service: 'nope', environment },
    }),
  },
  'GET /api/v1/deployments': {
    role: 'viewer',
    source: 'query',
    request: (env) => ({ url: `/api/v1/deployments?environment=${env}` }),
  },
  'GET /api/v1/deployments/:id': {
    role: 'viewer',
    source: 'deployment',
    request: (env) => ({ url: `/api/v1/deployments/${dep(env)}` }),
  },
  'GET /api/v1/deployments/:id/verdicts': {
    role: 'viewer',
    source: 'deployment',
    request: (env) => ({ url: `/api/v1/deployments/${dep(env)}/verdicts` }),
  },
  'GET /api/v1/deployments/:id/gates': {
    role: 'viewer',
    source: 'deployment',
    request: (env) => ({ url: `/api/v1/deployments/${dep(env)}/gates` }),
  },
  'GET /api/v1/deployments/:id/events': {
    role: 'viewer',
    source: 'deployment',
    request: (env) => ({ url: `/api/v1/deployments/${dep(env)}/events` }),
  },
  'POST /api/v1/deployments/:id/promote': {
    role: 'deployer',
    source: 'deployment',
    request: (env) => ({ method: 'POST', url: `/api/v1/deployments/${dep(env)}/promote` }),
  },
  'POST /api/v1/deployments/:id/pause': {
    role: 'deployer',
    source: 'deployment',
    request: (env) => ({ method: 'POST', url: `/api/v1/deployments/${dep(env)}/pause` }),
  },
  'POST /api/v1/deployments/:id/resume': {
    role: 'deployer',
    source: 'deployment',
    request: (env) => ({ method: 'POST', url: `/api/v1/deployments/${dep(env)}/resume` }),
  },
  'POST /api/v1/deployments/:id/abort': {
    role: 'deployer',
    source: 'deployment',
    request: (env) => ({ method: 'POST', url: `/api/v1/deployments/${dep(env)}/abort`, payload: {} }),
  },
  'POST /api/v1/projects/:project/environments/:environment/services/:service/abort': {
    role: 'deployer',
    source: 'params',
    request: (env) => ({
      method: 'POST',
      url: `/api/v1/projects/harbor/environments/${env}/services/api/abort`,
      payload: {},
    }),
  },
  'POST /api/v1/projects/:project/environments/:environment/services/:service/promote': {
    role: 'deployer',
    source: 'params',
    request: (env) => ({
      method: 'POST',
      url: `/api/v1/projects/harbor/environments/${env}/services/api/promote`,
      payload: {},
    }),
  },
  'POST /api/v1/projects/:project/environments/:environment/services/:service/pause': {
    role: 'deployer',
    source: 'params',
    request: (env) => ({
      method: 'POST',
      url: `/api/v1/projects/harbor/environments/${env}/services/api/pause`,
      payload: {},
    }),
  },
  'POST /api/v1/projects/:project/environments/:environment/services/:service/resume': {
    role: 'deployer',
    source: 'params',
    request: (env) => ({
      method: 'POST',
      url: `/api/v1/projects/harbor/environments/${env}/services/api/resume`,
      payload: {},
    }),
  },
  'GET /api/v1/events': {
    role: 'viewer',
    source: 'query',
    request: (env) => ({ url: `/api/v1/events?environment=${env}` }),
  },
  'GET /api/v1/instances': {
    role: 'viewer',
    source: 'query',
    request: (env) => ({ url: `/api/v1/instances?environment=${env}` }),
  },
  'GET /api/v1/instances/:id': {
    role: 'viewer',
    source: 'instance',
    request: (env) => ({ url: `/api/v1/instances/${ins(env)}` }),
  },
  'GET /api/v1/instances/:id/logs': {
    role: 'viewer',
    source: 'instance',
    request: (env) => ({ url: `/api/v1/instances/${ins(env)}/logs?tail=1` }),
  },
  'POST /api/v1/tokens': {
    role: 'admin',
    source: 'star',
    // An invalid expiry: an allowed caller gets the handler's 400, so nothing is created.
    request: () => ({
      method: 'POST',
      url: '/api/v1/tokens',
      payload: { name: 'matrix', grants: [{ role: 'viewer', environments: '*' }], expiresIn: 'never' },
    }),
  },
  'GET /api/v1/tokens': { role: 'admin', source: 'star', request: () => ({ url: '/api/v1/tokens' }) },
  'DELETE /api/v1/tokens/:id': {
    role: 'admin',
    source: 'star',
    request: () => ({ method: 'DELETE', url: '/api/v1/tokens/tok_missing' }),
  },
  'GET /api/v1/audit': { role: 'admin', source: 'star', request: () => ({ url: '/api/v1/audit?since=2020-01-01' }) },
  'GET /api/v1/audit/verify': { role: 'admin', source: 'star', request: () => ({ url: '/api/v1/audit/verify' }) },
  // Built without a vault: an allowed caller gets 503, so nothing is stored or rotated.
  'PUT /api/v1/projects/:project/environments/:environment/secrets/:name': {
    role: 'admin',
    source: 'params',
    request: (env) => ({
      method: 'PUT',
      url: `/api/v1/projects/harbor/environments/${env}/secrets/MATRIX`,
      payload: { value: 'x' },
    }),
  },
  'GET /api/v1/projects/:project/environments/:environment/secrets': {
    role: 'viewer',
    source: 'params',
    request: (env) => ({ url: `/api/v1/projects/harbor/environments/${env}/secrets` }),
  },
  'DELETE /api/v1/projects/:project/environments/:environment/secrets/:name': {
    role: 'admin',
    source: 'params',
    request: (env) => ({ method: 'DELETE', url: `/api/v1/projects/harbor/environments/${env}/secrets/MATRIX` }),
  },
  'POST /api/v1/projects/:project/environments/:environment/secrets/:name/reveal': {
    role: 'admin',
    source: 'params',
    request: (env) => ({ method: 'POST', url: `/api/v1/projects/harbor/environments/${env}/secrets/MATRIX/reveal` }),
  },
  'GET /api/v1/projects/:project/environments/:environment/backups': {
    role: 'viewer',
    source: 'params',
    request: (env) => ({ url: `/api/v1/projects/harbor/environments/${env}/backups` }),
  },
  'POST /api/v1/projects/:project/environments/:environment/backups/restore': {
    role: 'admin',
    source: 'params',
    request: (env) => ({
      method: 'POST',
      url: `/api/v1/projects/harbor/environments/${env}/backups/restore`,
      payload: { release: '9.9.9' },
    }),
  },
  'GET /api/v1/projects/:project/alerts': {
    role: 'viewer',
    source: 'query',
    request: (env) => ({ url: `/api/v1/projects/harbor/alerts?environment=${env}` }),
  },
  'GET /api/v1/projects/:project/alerts/history': {
    role: 'viewer',
    source: 'query',
    request: (env) => ({ url: `/api/v1/projects/harbor/alerts/history?environment=${env}` }),
  },
  'GET /api/v1/projects/:project/alerts/prometheus-rules': {
    role: 'viewer',
    source: 'query',
    request: (env) => ({ url: `/api/v1/projects/harbor/alerts/prometheus-rules?environment=${env}` }),
  },
  'GET /api/v1/projects/:project/silences': {
    role: 'viewer',
    source: 'query',
    request: (env) => ({ url: `/api/v1/projects/harbor/silences?environment=${env}` }),
  },
  'POST /api/v1/projects/:project/environments/:environment/silences': {
    role: 'deployer',
    source: 'params',
    request: (env) => ({
      method: 'POST',
      url: `/api/v1/projects/harbor/environments/${env}/silences`,
      payload: { matchers: ['alertname=error-rate'], for: '1h', comment: 'known' },
    }),
  },
  'POST /api/v1/projects/:project/environments/:environment/silences/:id/expire': {
    role: 'deployer',
    source: 'params',
    request: (env) => ({
      method: 'POST',
      url: `/api/v1/projects/harbor/environments/${env}/silences/sil_none/expire`,
      payload: {},
    }),
  },
  'POST /api/v1/secrets/rotate-key': {
    role: 'admin',
    source: 'star',
    request: () => ({ method: 'POST', url: '/api/v1/secrets/rotate-key' }),
  },
  // Signed by GitHub, not a token: the harness project has no triggers.github, so it answers 404 whoever calls.
  'POST /api/v1/webhooks/github': {
    role: 'viewer',
    source: 'public',
    request: () => ({ method: 'POST', url: '/api/v1/webhooks/github', payload: { zen: 'matrix' } }),
  },
  'GET /api/v1/projects/:project/lead-times': {
    role: 'viewer',
    source: 'query',
    request: (env) => ({ url: `/api/v1/projects/harbor/lead-times?environment=${env}` }),
  },
  'GET /api/v1/projects/:project/notifications': {
    role: 'viewer',
    source: 'query',
    request: (env) => ({ url: `/api/v1/projects/harbor/notifications?environment=${env}` }),
  },
  // A failed delivery: an allowed caller sends it again (200), the next one gets the handler's 409.
  'POST /api/v1/notifications/:id/retry': {
    role: 'deployer',
    source: 'notification',
    request: (env) => ({ method: 'POST', url: `/api/v1/notifications/${seeded[env].notification}/retry` }),
  },
  'GET /api/v1/projects/:project/kpis': {
    role: 'viewer',
    source: 'query',
    request: (env) => ({ url: `/api/v1/projects/harbor/kpis?environment=${env}` }),
  },
  'GET /api/v1/projects/:project/status-summary': {
    role: 'viewer',
    source: 'any',
    request: () => ({ url: '/api/v1/projects/harbor/status-summary' }),
  },
  'GET /status/:project': { role: 'viewer', source: 'public', request: () => ({ url: '/status/harbor' }) },
  'GET /status/:project/': { role: 'viewer', source: 'public', request: () => ({ url: '/status/harbor/' }) },
  'GET /status': { role: 'viewer', source: 'public', request: () => ({ url: '/status' }) },
  'GET /status/': { role: 'viewer', source: 'public', request: () => ({ url: '/status/' }) },
  'GET /status/*': { role: 'viewer', source: 'public', request: () => ({ url: '/status/harbor/extra' }) },
  // The harness project has no freeze: an allowed caller schedules it for tomorrow (201).
  'POST /api/v1/projects/:project/scheduled-deployments': {
    role: 'deployer',
    source: 'body',
    request: (env) => ({
      method: 'POST',
      url: '/api/v1/projects/harbor/scheduled-deployments',
      payload: {
        service: 'api',
        environment: env,
        version: '1.0.0',
        at: new Date(Date.now() + 86_400_000).toISOString(),
      },
    }),
  },
  // The first allowed caller cancels the seeded one (200); the others get the handler's 409.
  'POST /api/v1/scheduled-deployments/:id/cancel': {
    role: 'deployer',
    source: 'scheduled',
    request: (env) => ({ method: 'POST', url: `/api/v1/scheduled-deployments/${sch(env)}/cancel`, payload: {} }),
  },
  'GET /api/v1/projects/:project/scheduled-deployments': {
    role: 'viewer',
    source: 'query',
    request: (env) => ({ url: `/api/v1/projects/harbor/scheduled-deployments?environment=${env}` }),
  },
  // No notes were written for the harness release: an allowed caller gets the handler's 404.
  'GET /api/v1/projects/:project/release-notes/:service/:version': {
    role: 'viewer',
    source: 'any',
    request: () => ({ url: '/api/v1/projects/harbor/release-notes/api/1.0.0' }),
  },
  // Local users' sessions. Login is public; a body without a password is a 400, so no failure counts towards a lockout.
  'POST /api/v1/auth/login': {
    role: 'viewer',
    source: 'public',
    request: () => ({ method: 'POST', url: '/api/v1/auth/login', payload: { name: 'matrix' } }),
  },
  'POST /api/v1/auth/logout': {
    role: 'viewer',
    source: 'public',
    request: () => ({ method: 'POST', url: '/api/v1/auth/logout' }),
  },
  // Session routes: a token caller reaches the handler, which answers 409 (tokens have no session).
  'GET /api/v1/auth/session': { role: 'viewer', source: 'any', request: () => ({ url: '/api/v1/auth/session' }) },
  'POST /api/v1/auth/totp/enroll': {
    role: 'viewer',
    source: 'any',
    request: () => ({ method: 'POST', url: '/api/v1/auth/totp/enroll' }),
  },
  'POST /api/v1/auth/totp/confirm': {
    role: 'viewer',
    source: 'any',
    request: () => ({ method: 'POST', url: '/api/v1/auth/totp/confirm', payload: { code: '000000' } }),
  },
  // A too-short password: an allowed caller gets the handler's 400, so no user is created or changed.
  'POST /api/v1/users': {
    role: 'admin',
    source: 'star',
    request: () => ({
      method: 'POST',
      url: '/api/v1/users',
      payload: { name: 'matrix', password: 'short', grants: [{ role: 'viewer', environments: '*' }] },
    }),
  },
  'GET /api/v1/users': { role: 'admin', source: 'star', request: () => ({ url: '/api/v1/users' }) },
  'PUT /api/v1/users/:name/password': {
    role: 'admin',
    source: 'star',
    request: () => ({ method: 'PUT', url: '/api/v1/users/matrix/password', payload: { password: 'short' } }),
  },
  'POST /api/v1/users/:name/disable': {
    role: 'admin',
    source: 'star',
    request: () => ({ method: 'POST', url: '/api/v1/users/matrix/disable' }),
  },
  // Single sign-on: public (the person has no credentials yet); the harness project has no sso block, so both answer
  // 404.
  'GET /api/v1/auth/oidc': { role: 'viewer', source: 'public', request: () => ({ url: '/api/v1/auth/oidc' }) },
  'GET /api/v1/auth/oidc/start': {
    role: 'viewer',
    source: 'public',
    request: () => ({ url: '/api/v1/auth/oidc/start' }),
  },
  // Sentry ingest: the DSN key is the credential, whatever the token (a valid key reaches the handler).
  'POST /api/:projectId/envelope/': {
    role: 'viewer',
    source: 'dsn',
    request: (env) => ({
      method: 'POST',
      url: `/api/${dsn[env].id}/envelope/?sentry_key=${dsn[env].key}`,
      headers: { 'content-type': 'application/x-sentry-envelope' },
      payload: '{}\n{"type":"client_report"}\n{}\n',
    }),
  },
  'POST /api/:projectId/store/': {
    role: 'viewer',
    source: 'dsn',
    request: (env) => ({
      method: 'POST',
      url: `/api/${dsn[env].id}/store/?sentry_key=${dsn[env].key}`,
      payload: { message: 'matrix' },
    }),
  },
  // Sentry's release API for sentry-cli. Unknown project or release: an allowed caller gets a 400 or 404.
  'POST /api/0/organizations/:org/releases/': {
    role: 'deployer',
    source: 'any',
    request: () => ({
      method: 'POST',
      url: '/api/0/organizations/acme/releases/',
      payload: { version: '9.9.9', projects: ['nope'] },
    }),
  },
  'GET /api/0/organizations/:org/releases/:version/': {
    role: 'viewer',
    source: 'any',
    request: () => ({ url: '/api/0/organizations/acme/releases/9.9.9/' }),
  },
  'PUT /api/0/organizations/:org/releases/:version/': {
    role: 'deployer',
    source: 'any',
    request: () => ({ method: 'PUT', url: '/api/0/organizations/acme/releases/9.9.9/', payload: {} }),
  },
  'POST /api/0/organizations/:org/releases/:version/deploys/': {
    role: 'deployer',
    source: 'body',
    request: (environment) => ({
      method: 'POST',
      url: '/api/0/organizations/acme/releases/9.9.9/deploys/',
      payload: { environment },
    }),
  },
  'GET /api/0/organizations/:org/releases/:version/deploys/': {
    role: 'viewer',
    source: 'any',
    request: () => ({ url: '/api/0/organizations/acme/releases/9.9.9/deploys/' }),
  },
  'GET /api/v1/projects/:project/dsn': {
    role: 'deployer',
    source: 'query',
    request: (env) => ({ url: `/api/v1/projects/harbor/dsn?environment=${env}` }),
  },
  'POST /api/v1/projects/:project/dsn/rotate': {
    role: 'admin',
    source: 'body',
    // Unknown environment: an allowed caller rotates the key of an environment nobody reports to.
    request: (environment) => ({
      method: 'POST',
      url: '/api/v1/projects/harbor-matrix/dsn/rotate',
      payload: { environment },
    }),
  },
  'GET /api/v1/projects/:project/errors': {
    role: 'viewer',
    source: 'query',
    request: (env) => ({ url: `/api/v1/projects/harbor/errors?environment=${env}` }),
  },
  'GET /api/v1/errors/:issue': { role: 'viewer', source: 'any', request: () => ({ url: '/api/v1/errors/iss_none' }) },
  'POST /api/v1/errors/:issue/status': {
    role: 'deployer',
    source: 'star',
    request: () => ({ method: 'POST', url: '/api/v1/errors/iss_none/status', payload: { status: 'resolved' } }),
  },
  'GET /api/v1/projects/:project/release-health': {
    role: 'viewer',
    source: 'query',
    request: (env) => ({ url: `/api/v1/projects/harbor/release-health?environment=${env}` }),
  },
  'GET /api/v1/auth/oidc/callback': {
    role: 'viewer',
    source: 'public',
    request: () => ({ url: '/api/v1/auth/oidc/callback?code=x&state=y' }),
  },
  'GET /api/v1/projects/:project/incidents': {
    role: 'viewer',
    source: 'query',
    request: (env) => ({ url: `/api/v1/projects/harbor/incidents?environment=${env}` }),
  },
  'POST /api/v1/projects/:project/incidents': {
    role: 'deployer',
    source: 'body',
    request: (env) => ({
      method: 'POST',
      url: '/api/v1/projects/harbor/incidents',
      payload: { environment: env, title: 'quotes are slow', severity: 'sev3' },
    }),
  },
  'GET /api/v1/incidents/:id': {
    role: 'viewer',
    source: 'incident',
    request: (env) => ({ url: `/api/v1/incidents/${inc(env)}` }),
  },
  'POST /api/v1/incidents/:id/acknowledge': {
    role: 'deployer',
    source: 'incident',
    request: (env) => ({ method: 'POST', url: `/api/v1/incidents/${inc(env)}/acknowledge`, payload: {} }),
  },
  'POST /api/v1/incidents/:id/resolve': {
    role: 'deployer',
    source: 'incident',
    request: (env) => ({ method: 'POST', url: `/api/v1/incidents/${inc(env)}/resolve`, payload: {} }),
  },
  'POST /api/v1/incidents/:id/notes': {
    role: 'deployer',
    source: 'incident',
    request: (env) => ({ method: 'POST', url: `/api/v1/incidents/${inc(env)}/notes`, payload: { text: 'n' } }),
  },
  'GET /api/v1/incidents/:id/postmortem': {
    role: 'viewer',
    source: 'incident',
    request: (env) => ({ url: `/api/v1/incidents/${inc(env)}/postmortem` }),
  },
};

/** The rules of src/access/authorize.ts, restated independently as the test's oracle. */
function expectAllowed(e: Expectation, granted: Role, scope: Env | '*', env: Env): boolean {
  if (e.source === 'public' || e.source === 'dsn') return true;
  const roleOk = granted === 'admin' || granted === e.role || e.role === 'viewer';
  // No environment named: the role on any one environment is enough (every token here has one).
  if (e.source === 'any') return roleOk;
  if (e.source === 'star') return roleOk && scope === '*';
  return roleOk && (scope === '*' || scope === env);
}

/** What the route's declaration looks like for a table source. */
function sourceOf(access: {
  public?: true;
  dsnKey?: true;
  environment?: unknown;
  anyEnvironment?: true;
}): Source | 'function' {
  if (access.public) return 'public';
  if (access.dsnKey) return 'dsn';
  if (typeof access.environment === 'function') return 'function';
  if (access.environment === 'body.environment') return 'body';
  if (access.environment === 'query.environment') return 'query';
  if (access.environment === 'params.environment') return 'params';
  return access.anyEnvironment ? 'any' : 'star';
}

let h: Harness;
let app: FastifyInstance;
const tokens = new Map<string, string>();
const key = (role: Role, scope: Env | '*') => `${role}@${scope}`;

beforeAll(async () => {
  h = await engineHarness();
  for (const role of roles) {
    for (const scope of ['staging', '*'] as const) {
      const token = generateToken();
      await insertToken(h.db, {
        id: newId('tok'),
        name: key(role, scope),
        hash: hashToken(token),
        grants: [{ role, environments: scope === '*' ? '*' : [scope] }],
      });
      tokens.set(key(role, scope), token);
    }
  }
  h.runtime.behaviour = () => 'healthy';
  for (const environment of ['staging', 'production'] as const) {
    const d = await h.engine.deploy({ project: 'harbor', service: 'api', environment, version: '1.0.0' });
    await h.waitFinished(d.id);
    seeded[environment].deployment = d.id;
    seeded[environment].instance = (await listInstances(h.db, { project: 'harbor', environment }))[0]!.id;
    // A rollout record to address by id (its one component was already live: nothing moves).
    seeded[environment].rollout = (
      await insertRollout(h.db, {
        id: newId('rol'),
        project: 'harbor',
        environment,
        version: '1.0.0',
        components: [{ service: 'api', level: 0, release: d.toRelease, phase: 'unchanged' }],
        settings: {},
      })
    ).id;
    seeded[environment].incident = (await openIncident(h.db, {
      project: 'harbor',
      environment,
      title: 'seeded',
      severity: 'sev3',
      source: 'manual',
      openedBy: 'test',
      links: [],
    }))!.id;
    seeded[environment].scheduled = (
      await scheduleDeployment(h.db, 'harbor', {
        service: 'api',
        environment,
        version: '1.0.0',
        runAt: new Date(Date.now() + 86_400_000),
        notifyBeforeMs: 0,
      })
    ).id;
  }
  for (const [i, environment] of (['staging', 'production'] as const).entries()) {
    const written = { key: `matrix-${environment}`, eventId: i + 1, trigger: 'on-deployment-started' };
    await insertNotifyDeliveries(h.db, [
      { ...written, project: 'harbor', environment, target: 'chat', targetType: 'slack', message: { title: 'x' } },
    ]);
    const d = (await listNotifyDeliveries(h.db, { environment }))[0]!;
    await finishAttempts(h.db, [{ id: d.id, state: 'failed', status: 404, error: 'HTTP 404' }]);
    seeded[environment].notification = d.id;
  }
  for (const environment of ['staging', 'production'] as const) {
    const key = await ensureDsnKey(h.db, 'harbor', environment);
    dsn[environment] = { id: key.id, key: key.publicKey };
  }
  app = await testApi(h);
}, 60_000);
afterAll(async () => {
  await app?.close();
  await h?.close();
});

describe('the authorization matrix', () => {
  it('every registered route is in the table, declaring the access the table expects', () => {
    const routes = registeredRoutes(app);
    const names = routes.map((r) => `${r.method} ${r.url}`);
    expect(names.filter((n) => !(n in table))).toEqual([]);
    expect(Object.keys(table).filter((n) => !names.includes(n))).toEqual([]);
    for (const r of routes) {
      const e = table[`${r.method} ${r.url}`]!;
      const declared = sourceOf(r.access);
      const expected = ['deployment', 'instance', 'rollout', 'incident', 'scheduled', 'notification'].includes(e.source)
        ? 'function'
        : e.source;
      expect({ route: `${r.method} ${r.url}`, role: r.access.role, source: declared }).toEqual({
        route: `${r.method} ${r.url}`,
        role: e.role,
        source: expected,
      });
    }
  });

  it('every route × role × environment: 403 exactly where the table says', async () => {
    const mismatches: string[] = [];
    let checked = 0;
    for (const [name, e] of Object.entries(table)) {
      for (const role of roles) {
        for (const scope of ['staging', '*'] as const) {
          for (const env of ['staging', 'production'] as const) {
            const request = e.request(env);
            const res = await app.inject({
              ...request,
              headers: { authorization: `Bearer ${tokens.get(key(role, scope))}` },
            });
            const allowed = expectAllowed(e, role, scope, env);
            checked++;
            if ((res.statusCode === 403) === allowed)
              mismatches.push(
                `${name} as ${key(role, scope)} on ${env}: expected ${allowed ? 'allowed' : '403'}, got ` +
                  `${res.statusCode} ${res.body.slice(0, 160)}`,
              );
            if (res.statusCode === 401 || res.statusCode === 500)
              mismatches.push(`${name} as ${key(role, scope)} on ${env}: ${res.statusCode} ${res.body.slice(0, 160)}`);
          }
        }
      }
    }
    expect(mismatches).toEqual([]);
    expect(checked).toBe(Object.keys(table).length * roles.length * 2 * 2);
  }, 120_000);

  it('a 403 names the missing role and environment and what the token has', async () => {
    const res = await app.inject({
      ...table['POST /api/v1/projects/:project/deployments']!.request('production'),
      headers: { authorization: `Bearer ${tokens.get('deployer@staging')}` },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().error).toMatchObject({
      code: 'forbidden',
      message: 'deployer on production required; token "deployer@staging" has deployer on staging',
    });
    const wide = await app.inject({
      url: '/metrics',
      headers: { authorization: `Bearer ${tokens.get('admin@staging')}` },
    });
    expect(wide.json().error.message).toBe('viewer on * required; token "admin@staging" has admin on staging');
  });

  it('lists without an environment show only what the token may view', async () => {
    const get = async (url: string, who: string) =>
      (await app.inject({ url, headers: { authorization: `Bearer ${tokens.get(who)}` } })).json();
    const envs = (rows: { environment: string | null }[]) => [...new Set(rows.map((r) => r.environment))].sort();
    expect(envs((await get('/api/v1/deployments', 'deployer@staging')).deployments)).toEqual(['staging']);
    expect(envs((await get('/api/v1/deployments', 'viewer@*')).deployments)).toEqual(['production', 'staging']);
    expect(envs((await get('/api/v1/instances', 'approver@staging')).instances)).toEqual(['staging']);
    expect(envs((await get('/api/v1/events', 'viewer@staging')).events)).toEqual(['staging']);
    const status = await get('/api/v1/projects/harbor/status', 'viewer@staging');
    expect(status.environments.map((e: { name: string }) => e.name)).toEqual(['staging']);
  });

  it('a missing deployment is a 404 for any token (there is no environment to check)', async () => {
    const res = await app.inject({
      url: '/api/v1/deployments/dep_missing',
      headers: { authorization: `Bearer ${tokens.get('viewer@staging')}` },
    });
    expect(res.statusCode).toBe(404);
  });
});

describe('route declarations', () => {
  it('a route without config.access stops the server from starting', async () => {
    const bare = Fastify();
    bare.addHook('onRoute', requireRouteAccess(bare));
    bare.get('/declared', { config: { access: { action: 'x.read', role: 'viewer' } } }, async () => 'ok');
    expect(() => bare.get('/undeclared', async () => 'ok')).toThrow(
      /route GET \/undeclared declares no config\.access/,
    );
    expect(() =>
      bare.get(
        '/bad',
        { config: { access: { action: 'x.read', role: 'viewer', environment: 'headers.env' } } },
        async () => 'ok',
      ),
    ).toThrow(/is not body\.X, query\.X or params\.X/);
    expect(registeredRoutes(bare).map((r) => `${r.method} ${r.url}`)).toEqual(['GET /declared']);
    await bare.close();
  });
});
