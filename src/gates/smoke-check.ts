import { request } from 'undici';
import { BodyTooLarge, networkReason, readText } from '../signals/read-body.js';
import { formatDuration } from '../shared/duration.js';
import { tailBytes } from './output-tail.js';
import type { GateResult } from '../model/gate-result.js';

/** A smoke check aimed at one URL. */
export interface SmokeCheckSpec {
  name: string;
  /** The environment address and the check's path, e.g. http://127.0.0.1:8081/version. */
  url: string;
  method: 'GET' | 'HEAD' | 'POST';
  expect: { status: number; bodyContains?: string };
  timeoutMs: number;
  /** Sent as the Host header, for services routed by host name. */
  hostHeader?: string;
}

/** Bodies bigger than this are not searched: a smoke endpoint answers small. */
const bodyLimit = 1024 * 1024;

/**
 * Send one smoke request and compare status and body. Never throws: an unreachable address or a
 * timeout is a `fail` (the release does not answer), with the reason in the message.
 *
 * @example
 * await runSmokeCheck({ name: 'version', url: 'http://127.0.0.1:8081/version', method: 'GET', expect: { status: 200,
 * bodyContains: '1.4.2' }, timeoutMs: 5000 });
 */
export async function runSmokeCheck(spec: SmokeCheckSpec, signal?: AbortSignal): Promise<GateResult> {
  const started = Date.now();
  const base = { name: spec.name, kind: 'smoke' as const };
  const target = `${spec.method} ${spec.url}`;
  const timeout = AbortSignal.timeout(spec.timeoutMs);
  let status: number;
  let body: string;
  try {
    const res = await request(spec.url, {
      method: spec.method,
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      headers: { 'user-agent': 'slipway-smoke-check', ...(spec.hostHeader ? { host: spec.hostHeader } : {}) },
    });
    status = res.statusCode;
    body = await readText(res.body, bodyLimit);
  } catch (e) {
    const reason = timeout.aborted
      ? `no answer within ${formatDuration(spec.timeoutMs)}`
      : e instanceof BodyTooLarge
        ? `the body is larger than ${bodyLimit} bytes`
        : networkReason(e);
    return {
      ...base,
      outcome: 'fail',
      message: `smoke check "${spec.name}" failed: ${target}: ${reason}`,
      durationMs: Date.now() - started,
      detail: { url: spec.url, method: spec.method, reason },
    };
  }
  const durationMs = Date.now() - started;
  const outputTail = body.length > tailBytes ? body.slice(-tailBytes) : body;
  const detail = { url: spec.url, method: spec.method, status, expect: spec.expect };
  const problems: string[] = [];
  if (status !== spec.expect.status) problems.push(`status ${status}, expected ${spec.expect.status}`);
  if (spec.expect.bodyContains !== undefined && !body.includes(spec.expect.bodyContains))
    problems.push(`the body does not contain ${JSON.stringify(spec.expect.bodyContains)}`);
  if (problems.length === 0)
    return {
      ...base,
      outcome: 'pass',
      message: `smoke check "${spec.name}" passed: ${target} → ${status}`,
      durationMs,
      outputTail,
      detail,
    };
  return {
    ...base,
    outcome: 'fail',
    message: `smoke check "${spec.name}" failed: ${target}: ${problems.join('; ')}`,
    durationMs,
    outputTail,
    detail,
  };
}
