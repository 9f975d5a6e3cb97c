import { renderStatus } from '../../src/cli/commands/status.js';
import type { DeploymentView } from '../../src/cli/follow.js';

/** A deployment as the API shows it to the CLI: quote-api 1.0.0 → 1.1.0, canary, running in production. */
export const deploymentView = (over: Partial<DeploymentView> = {}): DeploymentView => ({
  id: 'dep_1',
  project: 'harbor',
  service: 'quote-api',
  environment: 'production',
  kind: 'deploy',
  state: 'running',
  strategy: 'canary',
  from: { id: 'rel_1', version: '1.0.0' },
  to: { id: 'rel_2', version: '1.1.0' },
  step: 0,
  steps: [{ kind: 'start', description: 'start 2 instances', status: 'running', step: {} }],
  trafficShifted: false,
  paused: null,
  latestVerdict: null,
  rolledBackFrom: null,
  reason: null,
  error: null,
  requestedBy: 'admin',
  emergency: null,
  request: 'none',
  watch: null,
  rollout: null,
  restart: false,
  createdAt: '2026-12-07T10:00:00.000Z',
  startedAt: '2026-12-07T10:00:00.000Z',
  finishedAt: null,
  updatedAt: '2026-12-07T10:00:00.000Z',
  ...over,
});

/** `slipway status` of harbor with quote-api alone in `environment`, its active and last deployment as given. */
export const oneServiceStatus = (
  active: DeploymentView | null,
  last: DeploymentView | null,
  environment = 'production',
): string =>
  renderStatus({
    project: 'harbor',
    dataPlane: { healthy: true, kind: 'builtin' },
    environments: [
      {
        name: environment,
        listen: ':8080',
        url: 'http://localhost:8080',
        rollout: null,
        services: [
          {
            service: 'quote-api',
            stable: '1.0.0',
            previous: null,
            traffic: [],
            instances: [],
            activeDeployment: active,
            lastDeployment: last,
          },
        ],
      },
    ],
  });
