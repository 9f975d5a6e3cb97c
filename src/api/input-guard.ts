import type { FastifyReply, FastifyRequest } from 'fastify';
import { unstorableIn } from '../shared/storable-text.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The route answers text the store cannot keep by itself: the public status pages, whose readers get their plain
     * HTML 404 page for any odd path, not this guard's JSON 400.
     */
    answersUnstorableInput?: true;
  }
}

/** One refused input: where it is (`params.id`, `query.service`, `body.grants[0].role`) and what is wrong. */
export interface InputIssue {
  path: string;
  message: string;
}

/** JSON nested deeper than this is refused: no request of Slipway's needs more, and walking it costs stack. */
export const maxInputDepth = 64;

/**
 * The first string in `value` (keys too) that the store could not keep, with its path; or the
 * place where it nests deeper than maxInputDepth. Walks with its own stack, so a hostile depth
 * cannot overflow the call stack.
 */
export function unstorableInput(value: unknown, path: string): InputIssue | undefined {
  const pending: { value: unknown; path: string; depth: number }[] = [{ value, path, depth: 0 }];
  while (pending.length > 0) {
    const at = pending.pop()!;
    if (typeof at.value === 'string') {
      const why = unstorableIn(at.value);
      if (why) return { path: at.path, message: `${why}, which Slipway does not accept` };
      continue;
    }
    if (!at.value || typeof at.value !== 'object' || Buffer.isBuffer(at.value)) continue;
    if (at.depth >= maxInputDepth)
      return { path: at.path, message: `nests deeper than ${maxInputDepth} levels, which Slipway does not accept` };
    const entries = Array.isArray(at.value)
      ? at.value.map((v, i) => [`${at.path}[${i}]`, v] as const)
      : Object.entries(at.value).map(([k, v]) => [`${at.path}.${k}`, v] as const);
    if (!Array.isArray(at.value))
      for (const key of Object.keys(at.value)) {
        const keyWhy = unstorableIn(key);
        if (keyWhy) return { path: at.path, message: `a key ${keyWhy}, which Slipway does not accept` };
      }
    // Pushed in reverse, so the first offending field (in document order) is found first.
    for (let i = entries.length - 1; i >= 0; i--)
      pending.push({ value: entries[i]![1], path: entries[i]![0], depth: at.depth + 1 });
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
  if (req.routeOptions.config.answersUnstorableInput) return;
  const issue =
    unstorableInput(req.params, 'params') ?? unstorableInput(req.query, 'query') ?? unstorableInput(req.body, 'body');
  if (!issue) return;
  await reply.status(400).send({
    error: { code: 'invalid_input', message: `${issue.path}: ${issue.message}`, details: { issues: [issue] } },
  });
}
