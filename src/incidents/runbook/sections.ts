import type { AnalysisConfig, EnvironmentConfig, FreezeWindow, ResolvedService } from '../../config/model.js';
import { defaultSeverity } from '../../model/incident.js';
import { respondSections } from './respond-sections.js';
import { configDuration } from '../../shared/config-duration.js';
import { commands, percent, type RunbookSection, tableCell } from './section.js';
import { describeCron } from './words.js';

/**
 * The runbook's sections, one small function each, so capabilities that add configuration (alert
 * rules, notification routes) add a section here. Nothing secret is written: no URLs, no env values.
 */

const severities: RunbookSection = {
  scope: 'project',
  title: 'Incidents and severities',
  render: () => [
    'Slipway opens an incident by itself, with this severity (sev1 is the worst):',
    '',
    '| Cause | Severity |',
    '| --- | --- |',
    `| The canary judge or a failed step rolled a deployment back after it served | ${defaultSeverity('rollback')} |`,
    `| A candidate failed before it served (rolled back or failed) | ${defaultSeverity('rollback', 'failed')} |`,
    `| A release regressed in its post-deploy watch | ${defaultSeverity('watch')} |`,
    `| A critical alert fired (one incident per alert group) | ${defaultSeverity('alert')} |`,
    '',
    'Work an incident:',
    '',
    ...commands(
      'slipway incidents --open',
      'slipway incident show ID              # the timeline: steps, verdicts with figures, alerts, notes',
      'slipway incident ack ID               # you own it',
      'slipway incident note ID "what you saw or did"',
      'slipway incident resolve ID --resolution "what fixed it"',
      'slipway incident postmortem ID -o postmortem.md',
      'slipway incident open --env ENV --severity sev2 "what is wrong"   # one Slipway did not open',
    ),
  ],
};

/** The environments a release must have succeeded in first, and how long before (the soak). */
function requiresFirst(e: EnvironmentConfig): string {
  if (e.requires.length === 0) return '-';
  return `${e.requires.join(', ')}${e.soakMs > 0 ? `, at least ${configDuration(e.soakMs)} before (soak)` : ''}`;
}

/** When a freeze holds: a weekly cron in words with its expression, or its two times. */
function freezeWhen(f: FreezeWindow): string {
  if (f.kind === 'once') return `${new Date(f.from).toISOString()} → ${new Date(f.until).toISOString()}`;
  const words = describeCron(f.cron);
  const length = configDuration(f.durationMs);
  return words
    ? `${words} ${f.timezone}, for ${length} (\`${f.cron}\`)`
    : `\`${f.cron}\` (${f.timezone}), for ${length}`;
}

const approvals: RunbookSection = {
  scope: 'project',
  title: 'Who may approve',
  render: (config) => [
    '| Environment | Requires first (soak) | Approvals | Freeze windows |',
    '| --- | --- | --- | --- |',
    ...config.environments.map((e) => {
      const p = e.approvals;
      const who = p
        ? `${p.required} of ${p.approvers.join(', ')}${p.selfApproval ? '' : ' (not the requester)'}, valid ` +
          configDuration(p.expiresAfterMs)
        : 'none needed';
      // Each freeze with its message: the message is why nobody should deploy, which is what people look up.
      const freezes = e.freezes.length
        ? e.freezes.map((f) => `${freezeWhen(f)}: ${tableCell(f.message)}`).join('; ')
        : 'none';
      return `| ${e.name} | ${requiresFirst(e)} | ${who} | ${freezes} |`;
    }),
    '',
    'A deployment inside a freeze needs `--emergency --reason "…"` (admins only); it is marked in the audit log.',
  ],
};

const seeState: RunbookSection = {
  scope: 'environment',
  title: 'See the state',
  render: (config, env) =>
    commands(
      `slipway status --env ${env.name}`,
      `slipway history --env ${env.name}`,
      `slipway incidents --env ${env.name} --open`,
      // Only a project of several services ships releases of the whole project; the command answers "no release"
      // (exit 3) where `slipway release` was never used, so the comment says when it applies.
      ...(config.services.length > 1
        ? [
            `slipway rollback --release --env ${env.name}   # after \`slipway release\`: every service of ` +
              'that release, in reverse order',
          ]
        : []),
    ),
};

const watch: RunbookSection = {
  scope: 'environment',
  title: 'Post-deploy watch',
  render: (_config, env) =>
    env.watch.forMs > 0
      ? [
          `Every release is watched for ${configDuration(env.watch.forMs)} after its rollout; a regression ` +
            (env.watch.onRegression === 'rollback' ? 'rolls it back by itself.' : 'is reported (no rollback).'),
        ]
      : ['Releases are not watched after their rollout (`watch` is off).'],
};

const rollBack: RunbookSection = {
  scope: 'service',
  title: 'Roll back',
  render: (config, env, s) => [
    ...commands(
      `slipway rollback ${s.name} --env ${env.name}      # the previous release (instant while it is warm)`,
      `slipway abort ${s.name} --env ${env.name} --reason "…"   # a deployment in flight rolls itself back`,
      `slipway logs ${s.name} --env ${env.name}`,
    ),
    ...(config.database?.service === s.name
      ? [
          '',
          config.database.revertOnRollback
            ? 'Its expand migrations are reverted on rollback (`database.revertOnRollback`).'
            : 'Database migrations stay applied on rollback (expand/contract keeps the previous release working).',
        ]
      : []),
  ],
};

function analysisLines(a: AnalysisConfig): string[] {
  const t = a.triggers;
  const st = a.statistics;
  return [
    `- error rate above ${t.errorRateVsBaseline}× the stable baseline, or above ${percent(t.maxErrorRate)}`,
    `- p95 latency above ${t.p95VsBaseline}× the baseline, or above ${configDuration(t.maxP95Ms)}`,
    t.unavailableForMs > 0
      ? `- a candidate instance down for ${configDuration(t.unavailableForMs)} (all down: immediately)`
      : '- a candidate instance down: immediately',
    `- statistics: ${percent(st.confidence)} confidence, latency +${percent(st.allowedLatencyIncrease)}, error ` +
      `rate +${percent(st.allowedErrorRateIncrease)} allowed, ${st.minSamples} samples; pass score ${st.passScore}`,
    `- looks every ${configDuration(a.intervalMs)}; ${a.consecutiveErrorLimit} failed looks in a row roll back; ` +
      `inconclusive past ${a.inconclusiveLimit}: ${a.onInconclusive}`,
    ...(a.probes ?? []).map((p) => `- probe ${p.name}: ${p.method} ${p.path} expects ${p.expect.status}`),
    ...(a.prometheus?.metrics ?? []).map(
      (m) => `- Prometheus metric ${m.name} (${m.higherIsWorse ? 'higher' : 'lower'} is worse)`,
    ),
  ];
}

const automaticRollback: RunbookSection = {
  scope: 'service',
  title: 'Rules that roll back by themselves',
  render: (_config, _env, s: ResolvedService) => {
    const h = s.health;
    const health =
      `- health: ${h.path} every ${configDuration(h.intervalMs)}, unhealthy after ${h.unhealthyThreshold} ` +
      `failures, start within ${configDuration(h.startTimeoutMs)}`;
    const strategy = s.strategy;
    if (strategy.type !== 'canary')
      return [`Strategy ${strategy.type}; the candidate is rolled back when:`, '', health];
    const steps = strategy.steps.length;
    return [
      `Strategy canary (${steps} steps); the judge rolls back when:`,
      '',
      health,
      ...analysisLines(strategy.analysis),
    ];
  },
};

/** The sections written today, in order. */
export const runbookSections: RunbookSection[] = [
  severities,
  approvals,
  seeState,
  watch,
  ...respondSections,
  rollBack,
  automaticRollback,
];
