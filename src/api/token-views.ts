import { z } from 'zod';
import { roles, type Role } from '../access/types.js';
import { environmentNameField } from '../config/fields.js';
import type { TokenSummary } from '../store/repos/tokens.js';

/** API shapes of tokens: grants in, token summaries out (never a hash; the secret only once, on creation). */

export const grantInput = z.object({
  role: z.enum(roles as unknown as [Role, ...Role[]]),
  environments: z
    .union([z.literal('*'), z.array(environmentNameField).min(1, 'name at least one environment, or "*"')])
    .describe('"*" = every environment and project-wide actions'),
});

export const tokenView = z.object({
  id: z.string(),
  name: z.string(),
  grants: z.array(grantInput),
  state: z.enum(['active', 'expired', 'revoked']),
  createdBy: z.string().nullable(),
  createdAt: z.iso.datetime({ offset: true }),
  expiresAt: z.iso.datetime({ offset: true }).nullable(),
  revokedAt: z.iso.datetime({ offset: true }).nullable(),
});

/** A stored token as the API shows it. */
export function presentToken(t: TokenSummary, now = Date.now()): z.infer<typeof tokenView> {
  const state = t.revokedAt ? 'revoked' : t.expiresAt && t.expiresAt.getTime() <= now ? 'expired' : 'active';
  return {
    id: t.id,
    name: t.name,
    grants: t.grants,
    state,
    createdBy: t.createdBy ?? null,
    createdAt: t.createdAt.toISOString(),
    expiresAt: t.expiresAt?.toISOString() ?? null,
    revokedAt: t.revokedAt?.toISOString() ?? null,
  };
}
