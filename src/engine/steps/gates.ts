import type { CommandGateConfig, EnvironmentConfig, GatesConfig, ProjectConfig } from '../../config/model.js';
import { runCommandGate } from '../../gates/command-gate.js';
import { runCoverageGate } from '../../gates/coverage-gate.js';
import type { GatePhase, GateResult } from '../../model/gate-result.js';
import { runSmokeCheck } from '../../gates/smoke-check.js';
import { formatDuration } from '../../shared/duration.js';
import { insertGateResult } from '../../store/repos/gate-results.js';
import { getProject } from '../../store/repos/projects.js';
import { deploymentEventBase, releaseFor, type StepContext } from '../context.js';
import { EngineError } from '../errors.js';

/**
 * Before anything starts: the environment's command gates in order, then the coverage gate. The
 * first that does not pass fails the deployment (no instance started, traffic untouched).
 */
export async function beforeGates(ctx: StepContext): Promise<void> {
  const { config, gates } = await gatesOf(ctx);
  if (!gates) return; // the gates were removed from slipway.yaml since this deployment was planned
  const version = releaseFor(ctx, 'candidate').version;
  for (const gate of gates.before) {
    const result = await runCommandGate(forRelease(gate, version, ctx), { signal: ctx.signal });
    await record(ctx, 'before', result);
    if (result.outcome !== 'pass') throw gateFailure(result);
  }
  if (gates.coverage) {
    const result = await runCoverageGate({
      file: fillVersion(gates.coverage.file, version),
      minimumPct: gates.coverage.minimumPct,
      baseDir: config.baseDir,
    });
    await record(ctx, 'before', result);
    if (result.outcome !== 'pass') throw gateFailure(result);
  }
}

/**
 * All traffic is on the candidate: send every smoke check to the environment's address (through
 * the proxy, as users reach it). Any failure rolls the deployment back; all checks run first so
 * the results say everything that is wrong.
 */
export async function smokeChecks(ctx: StepContext): Promise<void> {
  const { config, environment, gates } = await gatesOf(ctx);
  if (!gates || gates.after.length === 0) return;
  const route = config.services.find((s) => s.name === ctx.deployment.service)?.route;
  const failed: GateResult[] = [];
  for (const check of gates.after) {
    const result = await runSmokeCheck(
      {
        name: check.name,
        url: `http://${dialable(environment)}${check.path}`,
        method: check.method,
        expect: check.expect,
        timeoutMs: check.timeoutMs,
        ...(route?.host ? { hostHeader: route.host } : {}),
      },
      ctx.signal,
    );
    await record(ctx, 'after', result);
    if (result.outcome !== 'pass') failed.push(result);
  }
  if (failed.length > 0) throw gateFailure(failed[0]!, failed.length);
}

async function gatesOf(
  ctx: StepContext,
): Promise<{ config: ProjectConfig; environment: EnvironmentConfig; gates?: GatesConfig }> {
  const d = ctx.deployment;
  const project = await getProject(ctx.db, d.project);
  const config = project?.config;
  const environment = config?.environments.find((e) => e.name === d.environment);
  if (!config || !environment)
    throw new EngineError(
      'not_found',
      `environment ${d.environment} of project ${d.project} is no longer in its slipway.yaml; cannot run its gates`,
    );
  return { config, environment, ...(environment.gates ? { gates: environment.gates } : {}) };
}

/** Store the result and put it on the deployment's timeline (the output tail too: it is the command's own output, never
 * its environment). */
async function record(ctx: StepContext, phase: GatePhase, result: GateResult): Promise<void> {
  await insertGateResult(ctx.db, ctx.deployment.id, phase, result, new Date(ctx.clock.now()));
  await ctx.events.emit({
    ...deploymentEventBase(ctx),
    kind: result.outcome === 'pass' ? 'gate.passed' : 'gate.failed',
    message: `${result.message} in ${formatDuration(result.durationMs)}`,
    data: {
      name: result.name,
      phase,
      kind: result.kind,
      outcome: result.outcome,
      durationMs: result.durationMs,
      ...(result.exitCode === undefined ? {} : { exitCode: result.exitCode }),
      ...(result.outputTail ? { tail: result.outputTail } : {}),
    },
  });
}

function gateFailure(result: GateResult, failures = 1): EngineError {
  const more = failures > 1 ? ` (and ${failures - 1} more smoke check${failures > 2 ? 's' : ''})` : '';
  const lastLines = result.outputTail ? `\n${result.outputTail.split('\n').slice(-10).join('\n')}` : '';
  return new EngineError('failed', `${result.message}${more}${lastLines}`, {
    gate: result.name,
    kind: result.kind,
    outcome: result.outcome,
  });
}

function forRelease(gate: CommandGateConfig, version: string, ctx: StepContext) {
  const d = ctx.deployment;
  return {
    name: gate.name,
    command: gate.command,
    args: gate.args.map((a) => fillVersion(a, version)),
    cwd: fillVersion(gate.cwd, version),
    timeoutMs: gate.timeoutMs,
    // Like an instance, a gate learns what it checks; its own variables may not override these.
    env: {
      ...gate.env,
      SLIPWAY_PROJECT: d.project,
      SLIPWAY_SERVICE: d.service,
      SLIPWAY_ENVIRONMENT: d.environment,
      SLIPWAY_RELEASE: version,
      SLIPWAY_GATE: gate.name,
    },
  };
}

function fillVersion(text: string, version: string): string {
  return text.replaceAll('{version}', version);
}

/** The environment's listen address as something to connect to: a wildcard host means this machine. */
function dialable(environment: EnvironmentConfig): string {
  if (environment.host === '0.0.0.0') return `127.0.0.1:${environment.port}`;
  if (environment.host === '::') return `[::1]:${environment.port}`;
  return environment.listen;
}
