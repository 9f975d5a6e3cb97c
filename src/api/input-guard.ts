import type { FastifyReply, FastifyRequest } from 'fastify';
import { unstorableIn } from '../shared/storable-text.js';

/** One refused input: where it is (`params.id`, `query.service`, `body.grants[0].role`) and what is wrong. */
export interface InputIssue {
  path: string;
  message: string;
}

/** The first string in `value` (keys too) that the store could not keep, with its path. */
export function unstorableInput(value: unknown, path: string): InputIssue | undefined {
  if (typeof value === 'string') {
    const why = unstorableIn(value);
    return why ? { path, message: `${why}, which Slipway does not accept` } : undefined;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const issue = unstorableInput(value[i], `${path}[${i}]`);
      if (issue) return issue;
    }
    return undefined;
  }
  if (value && typeof value === 'object' && !Buffer.isBuffer(value)) {
    for (const [key, v] of Object.entries(value)) {
      const keyWhy = unstorableIn(key);
      if (keyWhy) return { path, message: `a key ${keyWhy}, which Slipway does not accept` };
      const issue = unstorableInput(v, `${path}.${key}`);
      if (issue) return issue;
    }
  }
  return undefined;
}

/**
 * Refuse, before any route runs, a request whose path parameters, query or JSON body hold text
 * the store cannot keep (a NUL, an unpaired surrogate): a 400 naming the field, instead of the
 * database refusing it later with a 500. Runs after authentication, so unauthenticated callers
 * learn nothing about input rules and their attempts are denied (and audited) as usual.
 */
export async function refuseUnstorableInput(req: FastifyRequest, reply: FastifyReply): Promise<void> {
  const issue =
    unstorableInput(req.params, 'params') ?? unstorableInput(req.query, 'query') ?? unstorableInput(req.body, 'body');
  if (!issue) return;
  await reply.status(400).send({
    error: { code: 'invalid_input', message: `${issue.path}: ${issue.message}`, details: { issues: [issue] } },
  });
}
