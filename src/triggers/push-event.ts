import { z } from 'zod';

/** The part of a GitHub push payload a trigger needs; the rest of the payload is ignored. */
const pushPayload = z.object({
  ref: z.string().min(1),
  deleted: z.boolean().default(false),
  after: z.string().regex(/^[0-9a-f]{40}$/, 'expected a 40-character commit sha'),
  head_commit: z
    .object({
      id: z.string().regex(/^[0-9a-f]{40}$/, 'expected a 40-character commit sha'),
      timestamp: z.iso.datetime({ offset: true }),
    })
    .nullable()
    .default(null),
  pusher: z.object({ name: z.string().min(1) }),
  repository: z.object({ full_name: z.string().min(1) }),
});

/** A push, as triggers see it. */
export interface PushEvent {
  repository: string;
  ref: string;
  /** The branch name for refs/heads/…; undefined for tags and other refs. */
  branch?: string;
  deleted: boolean;
  /** The commit the ref now points at. */
  sha: string;
  /** When the head commit was made (its author timestamp); undefined when the push names no head commit. */
  committedAt?: Date;
  pusher: string;
}

/** Read a push payload; the error names every field that is missing or wrong, by its path. */
export function parsePush(payload: unknown): { ok: true; push: PushEvent } | { ok: false; reason: string } {
  const parsed = pushPayload.safeParse(payload);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (i) => `${i.path.length > 0 ? i.path.join('.') : '(payload)'}: ${i.message}`,
    );
    return { ok: false, reason: `not a GitHub push payload: ${problems.join('; ')}` };
  }
  const p = parsed.data;
  const branch = p.ref.startsWith('refs/heads/') ? p.ref.slice('refs/heads/'.length) : undefined;
  return {
    ok: true,
    push: {
      repository: p.repository.full_name,
      ref: p.ref,
      ...(branch ? { branch } : {}),
      deleted: p.deleted,
      sha: p.head_commit?.id ?? p.after,
      ...(p.head_commit ? { committedAt: new Date(p.head_commit.timestamp) } : {}),
      pusher: p.pusher.name,
    },
  };
}

/** The release version a rule makes from a commit. */
export function versionFor(template: '{sha7}' | '{sha}', sha: string): string {
  return template === '{sha}' ? sha : sha.slice(0, 7);
}
