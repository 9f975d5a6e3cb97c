import type { FastifyReply, FastifyRequest } from 'fastify';
import { Counter, type Registry } from 'prom-client';
import { appendAudit } from '../access/audit/chain.js';
import type { AuditEntry } from '../access/audit/types.js';
import type { Logger } from '../shared/logging.js';
import type { Db } from '../store/db.js';
import type { DeploymentRecord } from '../store/repos/deployments.js';

/** What a route adds to its audit entry: small summaries of the state it changed, never bodies or tokens. */
export interface AuditNote {
  before?: unknown;
  after?: unknown;
  /** Replaces the target derived from params and body. */
  target?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    audit?: AuditNote;
  }
}

const stateChanging = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const maxValue = 200;

/** A deployment as the audit log remembers it before and after an action on it. */
export function deploymentSummary(d: DeploymentRecord): Record<string, unknown> {
  // abort and promote are requests the executor carries out a moment later: the request is the change.
  return {
    deployment: d.id,
    state: d.state,
    step: d.step,
    request: d.control.kind,
    paused: d.control.kind === 'pause',
    abortRequested: d.control.kind === 'abort',
    promoteRequested: d.control.kind === 'promote',
  };
}

export function clipAuditValue(text: string): string {
  return text.length > maxValue ? `${text.slice(0, maxValue)}…` : text;
}

/** `key=value` of the route params, then service and environment from the body: never the whole body. */
function targetOf(req: FastifyRequest): string {
  const parts: string[] = [];
  // An unmatched URL comes with a catch-all `*` param: the path is already the action.
  const params = req.routeOptions.url === undefined ? {} : ((req.params ?? {}) as Record<string, unknown>);
  for (const [k, v] of Object.entries(params)) if (typeof v === 'string') parts.push(`${k}=${clipAuditValue(v)}`);
  const body = (req.body ?? {}) as Record<string, unknown>;
  for (const k of ['service', 'environment'])
    if (typeof body[k] === 'string') parts.push(`${k}=${clipAuditValue(body[k])}`);
  return parts.join(' ');
}

/** The API error message of a refused request, so the log says why (e.g. which token was revoked). */
function refusalOf(payload: unknown): string | undefined {
  if (typeof payload !== 'string') return undefined;
  try {
    const message = (JSON.parse(payload) as { error?: { message?: unknown } }).error?.message;
    return typeof message === 'string' ? clipAuditValue(message) : undefined;
  } catch {
    return undefined;
  }
}

/** The entry for one answered request. */
function auditEntryOf(req: FastifyRequest, status: number, payload?: unknown): AuditEntry {
  // 429: a login refused by brute-force protection is a denied attempt like a 401.
  const denied = status === 401 || status === 403 || status === 429;
  const route = req.routeOptions.url ?? clipAuditValue(req.url.split('?')[0]!);
  const note = req.audit ?? {};
  const reason = denied ? refusalOf(payload) : undefined;
  return {
    actor: req.principal ? `${req.principal.name} (${req.principal.tokenId})` : 'anonymous',
    action: req.routeOptions.config?.access?.action ?? `${req.method} ${route}`,
    target: note.target ?? targetOf(req),
    // No address (a unix socket) must not lose the entry: source is a required column.
    source: req.ip || 'unknown',
    outcome: denied ? 'denied' : 'allowed',
    status,
    ...(note.before !== undefined ? { before: note.before } : {}),
    ...(note.after !== undefined ? { after: note.after } : reason ? { after: { refused: reason } } : {}),
  };
}

/**
 * Fastify onSend hook: appends an audit entry for every state-changing request and every
 * denied one (401/403/429, any method). It runs before the answer leaves, so a caller that got an
 * answer can find it in the log. A failed write does not turn a change that happened into an
 * error (the caller would retry it): it is logged at error level with the whole entry, counted
 * in slipway_audit_write_failures_total, and the answer carries `Slipway-Audit: failed`.
 */
export function auditHook(deps: { db: Db; logger: Logger; registry: Registry }) {
  const write = auditWriter(deps);
  return async (req: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> => {
    const status = reply.statusCode;
    const denied = status === 401 || status === 403 || status === 429;
    if (!stateChanging.has(req.method) && !denied) return payload;
    // An SDK reporting errors is traffic, not a person's change: only its denials are audited.
    if (req.routeOptions.config?.access?.dsnKey && !denied) return payload;
    if (!(await write(auditEntryOf(req, status, payload)))) reply.header('slipway-audit', 'failed');
    return payload;
  };
}

/**
 * Appends one audit entry; false when it could not be written (then it is logged at error level, whole, and
 * counted in slipway_audit_write_failures_total). The onSend hook's writer, and the raw ingest path's
 * (ingest-fast-path.ts), which audits its denials the same way.
 */
export function auditWriter(deps: { db: Db; logger: Logger; registry: Registry }) {
  const failures =
    (deps.registry.getSingleMetric('slipway_audit_write_failures_total') as Counter | undefined) ??
    new Counter({
      name: 'slipway_audit_write_failures_total',
      help: 'Audit entries that could not be written (each is in the coordinator log)',
      registers: [deps.registry],
    });
  return async (entry: AuditEntry): Promise<boolean> => {
    try {
      await appendAudit(deps.db, entry);
      return true;
    } catch (err) {
      failures.inc();
      deps.logger.error({ err, audit: entry }, 'could not write the audit log entry; it is in this log line instead');
      return false;
    }
  };
}

/** The note for an action on a stored deployment: where it runs, and its state before and after. */
export function deploymentNote(before: DeploymentRecord | undefined, after: DeploymentRecord): AuditNote {
  return {
    target: `deployment=${after.id} project=${after.project} service=${after.service} environment=${after.environment}`,
    before: before ? deploymentSummary(before) : null,
    after: deploymentSummary(after),
  };
}
