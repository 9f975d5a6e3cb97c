import type { DeploymentFact, IncidentFact } from './model.js';

/** The generated history the KPI tests share, with the answers worked out by hand in compute.test.ts. */
export const since = Date.parse('2026-11-01T00:00:00Z');
export const until = since + 30 * 86_400_000;
const minute = 60_000;
const hour = 60 * minute;

/** A scope's deployments and incidents, and when its first deployment started (the period's start, or later). */
export interface History {
  deployments: DeploymentFact[];
  incidents: IncidentFact[];
  firstDeployedAt: number;
}

/**
 * 100 deployments of api to production, one every 6 h, each 10 min long: #10 and #50 rolled back by the engine
 * after 5 min, #30 succeeded and was reverted by a rollback deployment 20 min later (2 min long), #70 failed,
 * #80 succeeded and is named by an incident opened 1 min later and resolved 12 min after that. Each served from its
 * start (#70 too: it failed because its rollback could not complete).
 */
export function generatedHistory(): History {
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
      trafficShiftedAt: startedAt,
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
    trafficShiftedAt: reverted.finishedAt + 20 * minute,
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
  return { deployments, incidents, firstDeployedAt: since };
}

/**
 * One outage of web in qa, 2 days into the period (minutes from then): #w0 ok (0–10); #w1 (60–70) succeeded and its
 * post-deploy watch regressed at 75, rolled it back (#wrb, 75–77) and opened an incident naming it; #w2 (90–95)
 * failed after it served and #w3 (120–130), the fix, joined that open incident, resolved at 135. The incident links
 * all four. Each served from its start; qa had no deployment before #w0.
 */
export function watchRollbackHistory(): History {
  const at = (m: number) => since + 2 * 86_400_000 + m * minute;
  const d = (
    id: string,
    state: DeploymentFact['state'],
    from: number,
    to: number,
    more: Partial<DeploymentFact> = {},
  ): DeploymentFact => ({
    id,
    environment: 'qa',
    service: 'web',
    kind: 'deploy',
    state,
    fromRelease: 'rel_w0',
    toRelease: `rel_${id.slice(4)}`,
    startedAt: at(from),
    finishedAt: at(to),
    trafficShiftedAt: at(from),
    regressed: false,
    ...more,
  });
  const deployments = [
    d('dep_w0', 'succeeded', 0, 10, { fromRelease: undefined }),
    d('dep_w1', 'succeeded', 60, 70, { regressed: true, watchRolledBack: true }),
    d('dep_wrb', 'succeeded', 75, 77, { kind: 'rollback', fromRelease: 'rel_w1', toRelease: 'rel_w0' }),
    d('dep_w2', 'failed', 90, 95),
    d('dep_w3', 'succeeded', 120, 130),
  ];
  const incidents: IncidentFact[] = [
    {
      id: 'inc_w',
      environment: 'qa',
      service: 'web',
      severity: 'sev2',
      openedAt: at(75),
      resolvedAt: at(135),
      deployments: ['dep_w1', 'dep_wrb', 'dep_w2', 'dep_w3'],
    },
  ];
  return { deployments, incidents, firstDeployedAt: at(0) };
}
