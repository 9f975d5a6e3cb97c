/**
 * npm run bench:notify-series -- --json [--runs N] [-- BENCH:NOTIFY FLAGS]
 *
 * bench:notify N times (default 5), one after the other, with every step's time (`--samples`), pooled: a step's p99
 * in one run is its 2nd slowest of 200 and swings 2× from run to run on a shared 2-core machine, so "step latency
 * unchanged" is judged on all the runs' steps together. Prints each run's figures, the pooled p50/p90/p99 quiet (before
 * the burst and again after it is delivered), with the control (events that notify nobody) and with the burst, and the
 * share of burst steps slower than the p99 of both quiet phases together: about 1 % if the burst changes nothing, more
 * if it does (and the same share for the control's steps, what writing the events alone does). Both quiet phases make
 * the baseline, and how far they are from each other is printed too (what "unchanged" looks like on this machine, and
 * a check of the warm-up: with 50 warm-up steps the first quiet phase ran much slower than the one after the burst,
 * and the burst was compared with a slow baseline). A run that fails ends the series with its error.
 */
import { spawn } from 'node:child_process';
import { machine, printResult, progress, quantile, refuse } from './support.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const runs = arg('runs', 5);
if (!Number.isInteger(runs) || runs < 1) await refuse(`--runs must be a whole number of 1 or more, not ${runs}`);
const separator = process.argv.indexOf('--');
const passed = separator > 0 ? process.argv.slice(separator + 1) : [];

type Phase = 'withoutBurst' | 'withEventsThatNotifyNobody' | 'withBurst' | 'withoutBurstAfterIt';
const phases: Phase[] = ['withoutBurst', 'withEventsThatNotifyNobody', 'withBurst', 'withoutBurstAfterIt'];
interface Run {
  deploymentStepSamplesMs: Record<Phase, number[]>;
  deliveryLatencyHealthyMs: { p99Ms: number };
  healthyLatencyPartsMs: Record<'eventToOutbox' | 'outboxToReceived', { p99Ms: number }>;
  failingVerdictToSlackMs: { duringBurst: number };
  delivered: { allDelivered: boolean; duplicatesAfterDedup: number };
  load: number[];
}

/** One bench:notify run in a process of its own (as `npm run bench:notify` runs it), its JSON parsed. */
function runOnce(): Promise<Run> {
  const script = new URL('./notify.ts', import.meta.url).pathname;
  const child = spawn(process.execPath, ['--import', 'tsx', script, '--json', '--samples', ...passed], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code !== 0) return reject(new Error(`bench:notify exited (code ${code}, signal ${signal})`));
      try {
        resolve(JSON.parse(out) as Run);
      } catch (e) {
        reject(new Error(`bench:notify printed no JSON: ${(e as Error).message}`));
      }
    });
  });
}

const summary = (values: number[]) => ({
  n: values.length,
  p50Ms: quantile(values, 0.5),
  p90Ms: quantile(values, 0.9),
  p99Ms: quantile(values, 0.99),
  maxMs: quantile(values, 1),
});

const results: Run[] = [];
for (let i = 1; i <= runs; i++) {
  progress(`run ${i} of ${runs}`);
  results.push(await runOnce());
}
const pooled = Object.fromEntries(
  phases.map((p) => [p, summary(results.flatMap((r) => r.deploymentStepSamplesMs[p]))]),
) as Record<Phase, ReturnType<typeof summary>>;
const stepsOf = (p: Phase) => results.flatMap((r) => r.deploymentStepSamplesMs[p]);
const quietSteps = [...stepsOf('withoutBurst'), ...stepsOf('withoutBurstAfterIt')];
const quiet = summary(quietSteps);
// Every run has its 200 steps a phase (a run that fails ends the series), so none of these is null.
const ratio = (a: number | null, b: number | null) => Math.round((a! / b!) * 100) / 100;
/** The share of `steps` slower than the p99 of `baseline`, in % (0.1). */
const overP99 = (steps: number[], baseline: number[]) => {
  const p99 = quantile(baseline, 0.99)!;
  return Math.round((steps.filter((ms) => ms > p99).length / steps.length) * 1000) / 10;
};

await printResult({
  benchmark: 'notify-series',
  machine: machine(),
  runs,
  flags: passed,
  perRun: results.map((r) => ({
    stepP99Ms: Object.fromEntries(phases.map((p) => [p, summary(r.deploymentStepSamplesMs[p]).p99Ms])),
    healthyDeliveryP99Ms: r.deliveryLatencyHealthyMs.p99Ms,
    /** Where a slow run's healthy tail went: the dispatcher (event → outbox) or the worker (outbox → received). */
    healthyPartsP99Ms: {
      eventToOutbox: r.healthyLatencyPartsMs.eventToOutbox.p99Ms,
      outboxToReceived: r.healthyLatencyPartsMs.outboxToReceived.p99Ms,
    },
    failingVerdictToSlackMs: r.failingVerdictToSlackMs.duringBurst,
    allDelivered: r.delivered.allDelivered,
    duplicatesAfterDedup: r.delivered.duplicatesAfterDedup,
    load: r.load,
  })),
  pooledStepMs: { ...pooled, quietBothPhases: quiet },
  /** The burst's steps against both quiet phases' together. */
  burstOverQuiet: {
    p50: ratio(pooled.withBurst.p50Ms, quiet.p50Ms),
    p90: ratio(pooled.withBurst.p90Ms, quiet.p90Ms),
    p99: ratio(pooled.withBurst.p99Ms, quiet.p99Ms),
  },
  /** About 1 % when the burst changes nothing (by the definition of p99). */
  burstStepsSlowerThanQuietP99Percent: overP99(stepsOf('withBurst'), quietSteps),
  /** The same share with the control's 1,000 events that notify nobody: what the events alone do to the steps. */
  controlStepsSlowerThanQuietP99Percent: overP99(stepsOf('withEventsThatNotifyNobody'), quietSteps),
  /**
   * The two quiet phases against each other (the same steps with nothing else running, before the burst and after it
   * is delivered): the spread of "unchanged" here. Each is the share of one phase's steps over the other's p99.
   */
  quietPhasesApart: {
    afterOverBeforeP99Percent: overP99(stepsOf('withoutBurstAfterIt'), stepsOf('withoutBurst')),
    beforeOverAfterP99Percent: overP99(stepsOf('withoutBurst'), stepsOf('withoutBurstAfterIt')),
    p99AfterOverBefore: ratio(pooled.withoutBurstAfterIt.p99Ms, pooled.withoutBurst.p99Ms),
  },
  targets: {
    healthyDeliveryP99Within1s: results.every((r) => r.deliveryLatencyHealthyMs.p99Ms <= 1000),
    failingVerdictToSlackWithin2s: results.every((r) => r.failingVerdictToSlackMs.duringBurst <= 2000),
    everyDeliveryMadeOnce: results.every((r) => r.delivered.allDelivered && r.delivered.duplicatesAfterDedup === 0),
  },
});
