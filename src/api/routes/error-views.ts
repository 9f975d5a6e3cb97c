import { z } from 'zod';
import type { IssueRecord } from '../../store/repos/error-issues.js';

const countView = z.object({
  release: z.string(),
  environment: z.string(),
  events: z.number().int(),
  users: z.number().int(),
  firstSeen: z.string(),
  lastSeen: z.string(),
  new: z.boolean().describe('The first release this environment saw the issue in'),
});

export const issueView = z.object({
  id: z.string(),
  title: z.string(),
  culprit: z.string().nullable(),
  level: z.string(),
  unhandled: z.boolean(),
  status: z.enum(['unresolved', 'resolved', 'ignored']),
  firstSeen: z.string(),
  lastSeen: z.string(),
  firstRelease: z.string(),
  events: z.number().int().describe('Events in the environments and release asked for'),
  users: z.number().int().describe('Affected users there (per release and environment, summed)'),
  newInRelease: z.boolean().describe('With ?release: the issue first appeared in that release'),
  regressed: z.boolean(),
  regressedAt: z.string().nullable(),
  regressedRelease: z.string().nullable(),
  counts: z.array(countView),
});

/** An issue for the API; with `release`, its figures are that release's and `newInRelease` says if it began there. */
export function presentIssue(i: IssueRecord, release?: string): z.infer<typeof issueView> {
  const scoped = release ? i.counts.filter((c) => c.release === release) : i.counts;
  return {
    id: i.id,
    title: i.title,
    culprit: i.culprit ?? null,
    level: i.level,
    unhandled: i.unhandled,
    status: i.status,
    firstSeen: i.firstSeen.toISOString(),
    lastSeen: i.lastSeen.toISOString(),
    firstRelease: i.firstRelease,
    events: scoped.reduce((n, c) => n + c.events, 0),
    users: scoped.reduce((n, c) => n + c.users, 0),
    newInRelease: release ? scoped.some((c) => c.isNew) : false,
    regressed: i.regressedAt !== undefined && i.status === 'unresolved',
    regressedAt: i.regressedAt?.toISOString() ?? null,
    regressedRelease: i.regressedRelease ?? null,
    counts: i.counts.map((c) => ({
      release: c.release,
      environment: c.environment,
      events: c.events,
      users: c.users,
      firstSeen: c.firstSeen.toISOString(),
      lastSeen: c.lastSeen.toISOString(),
      new: c.isNew,
    })),
  };
}

type Json = Record<string, unknown>;
const asList = (v: unknown): Json[] =>
  Array.isArray(v)
    ? (v as Json[])
    : Array.isArray((v as Json | undefined)?.values)
      ? ((v as Json).values as Json[])
      : [];

/** The latest event as people read it: exceptions with their frames (innermost last), message, tags. */
export function presentLatest(e: {
  eventId: string;
  environment: string;
  release: string;
  receivedAt: Date;
  payload: Json;
}): Json {
  const p = e.payload;
  const tags = Array.isArray(p.tags) ? Object.fromEntries(p.tags as [string, unknown][]) : (p.tags ?? {});
  const log = (p.logentry ?? p.message) as Json | string | undefined;
  return {
    eventId: e.eventId,
    environment: e.environment,
    release: e.release,
    receivedAt: e.receivedAt.toISOString(),
    level: p.level ?? null,
    platform: p.platform ?? null,
    message: typeof log === 'string' ? log : (log?.formatted ?? log?.message ?? null),
    exceptions: asList(p.exception).map((x) => ({
      type: x.type ?? null,
      value: x.value ?? null,
      handled: (x.mechanism as Json | undefined)?.handled ?? null,
      frames: asList((x.stacktrace as Json | undefined)?.frames).map((f) => ({
        function: f.function ?? null,
        filename: f.filename ?? f.module ?? null,
        lineno: f.lineno ?? null,
        inApp: f.in_app ?? null,
      })),
    })),
    tags,
    sdk: (p.sdk as Json | undefined)?.name ?? null,
  };
}

export const healthView = z.object({
  series: z.array(
    z.object({
      release: z.string(),
      environment: z.string(),
      hour: z.string(),
      sessions: z.number().int(),
      crashed: z.number().int(),
      errored: z.number().int(),
      users: z.number().int(),
      crashedUsers: z.number().int(),
    }),
  ),
  releases: z.array(
    z.object({
      release: z.string(),
      environment: z.string(),
      sessions: z.number().int(),
      crashFreeSessions: z.number().nullable().describe('Share (0..1) of sessions that did not crash'),
      users: z.number().int(),
      crashFreeUsers: z.number().nullable().describe('Share (0..1) of users none of whose sessions crashed'),
    }),
  ),
});
