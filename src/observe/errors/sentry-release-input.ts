import { z } from 'zod';

/**
 * Request bodies of Sentry's release API as documented ("Create a New Release for an
 * Organization", "Update an Organization's Release", "Create a Deploy" at docs.sentry.io/api/releases/),
 * the subset `sentry-cli releases new / finalize / set-commits` and `sentry-cli deploys new` send.
 * Fields Sentry documents but Slipway has no use for are accepted and ignored, as Sentry ignores
 * unknown ones; a field of the wrong shape is a 400 naming it.
 */

/** Sentry's rule for versions: no newline, tab or slash, not ".", ".." or "latest", at most 200 characters. */
export const releaseVersion = z
  .string()
  .min(1)
  .max(200)
  .refine((v) => !/[\n\r\t/]/.test(v), 'a release version cannot contain newlines, tabs or slashes')
  .refine((v) => !['.', '..', 'latest'].includes(v.trim()) && v.trim() !== '', 'is not a usable release version');

/** An organization slug (Slipway has one organization: any slug names it; see the README). */
export const organizationSlug = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,100}$/, 'expected an organization slug (letters, digits, "-", "_" or ".")');

/** ISO 8601 date-time with a zone, as Sentry's clients send it ("2026-12-04T17:00:00.123456Z"). */
const dateTime = z
  .string()
  .max(40)
  .refine(
    (s) => /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)$/.test(s) && !Number.isNaN(Date.parse(s)),
    'expected an ISO 8601 date-time with a time zone, e.g. 2026-12-04T17:00:00Z',
  );

const text = (max: number) => z.string().max(max);
const projectSlug = z.string().min(1).max(100);

/** One commit of `commits` (set-commits --local, or a CI's own list): `id` is the SHA. */
const commit = z.object({
  id: z.string().min(1).max(64),
  repository: text(200).optional(),
  message: text(10_000).nullish(),
  author_name: text(200).nullish(),
  author_email: text(200).nullish(),
  timestamp: dateTime.nullish(),
  patch_set: z
    .array(z.object({ path: text(1000), type: z.enum(['A', 'M', 'D']) }))
    .max(10_000)
    .optional(),
});

/** One head commit of `refs` (set-commits --commit REPO@SHA, or --auto): the range a release covers per repository. */
const headRef = z.object({
  repository: z.string().min(1).max(200),
  commit: z.string().min(1).max(200),
  previousCommit: z.string().max(64).nullish(),
});

const releaseFields = {
  ref: text(200).nullish(),
  url: text(2000).nullish(),
  dateStarted: dateTime.nullish(),
  dateReleased: dateTime.nullish(),
  commits: z.array(commit).max(10_000).optional(),
  refs: z.array(headRef).max(100).optional(),
};

/** POST /api/0/organizations/{org}/releases/ */
export const newRelease = z.object({
  version: releaseVersion,
  projects: z.array(projectSlug).min(1, 'name at least one project').max(100),
  ...releaseFields,
});

/** PUT …/releases/{version}/: finalize sends dateReleased; set-commits sends refs or commits. */
export const releaseUpdate = z.object({
  projects: z.array(projectSlug).max(100).optional(),
  ...releaseFields,
});

/** POST /api/0/organizations/{org}/releases/{version}/deploys/ */
export const newDeploy = z.object({
  environment: z.string().min(1).max(64),
  name: text(200).nullish(),
  url: text(2000).nullish(),
  dateStarted: dateTime.nullish(),
  dateFinished: dateTime.nullish(),
  projects: z.array(projectSlug).max(100).optional(),
});

export type NewRelease = z.infer<typeof newRelease>;
export type ReleaseUpdate = z.infer<typeof releaseUpdate>;
export type NewDeploy = z.infer<typeof newDeploy>;
