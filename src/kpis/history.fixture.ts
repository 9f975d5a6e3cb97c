import type { DeploymentFact, IncidentFact } from './model.js';

/** The generated history the KPI tests share, with the answers worked out by hand in compute.test.ts. */
export const since = Date.parse('2026-11-01T00:00:00Z');
export const until = since + 30 * 86_400_000;
const minute = 60_000;
const hour = 60 * minute;

/**
 * 100 deployments of api to production, one every 6 h, each 10 min long: #10 and #50 rolled back by the engine
 * after 5 min, #30 succeeded and was reverted by a rollback deployment 20 min later (2 min long), #70 failed,
 * #80 succeeded and is named by an incident opened 1 min later and resolved 12 min after that.
 */
export function generatedHistory(): { deployments: DeploymentFact[]; incidents: IncidentFact[] } {
  const deployments: DeploymentFact[] = [];
  for (let i = 0; i < 100; i++) {
    const startedAt = since + i * 6 * hour;
    const state = i === 10 || i === 50 ? 'rolled_back' : i === 70 ? 'failed' : 'succeeded';
    deployments.push({
      id: `dep_${i}`,
      environment: 'production',
      service: 'api',
      kind: 'deploy',
      state,
      fromRelease: `rel_${i - 1}`,
      toRelease: `rel_${i}`,
      startedAt,
      finishedAt: startedAt + (state === 'rolled_back' ? 5 : 10) * minute,
      regressed: false,
    });
  }
  const reverted = deployments[30]!;
  deployments.push({
    id: 'dep_rb30',
    environment: 'production',
    service: 'api',
    kind: 'rollback',
    state: 'succeeded',
    fromRelease: 'rel_30',
    toRelease: 'rel_29',
    startedAt: reverted.finishedAt + 20 * minute,
    finishedAt: reverted.finishedAt + 22 * minute,
    regressed: false,
  });
  const opened = deployments[80]!.finishedAt + minute;
  const incidents: IncidentFact[] = [
    {
      id: 'inc_1',
      environment: 'production',
      service: 'api',
      severity: 'sev2',
      openedAt: opened,
      resolvedAt: opened + 12 * minute,
      deployments: ['dep_80'],
    },
  ];
  return { deployments, incidents };
}
