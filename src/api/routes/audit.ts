import { Readable } from 'node:stream';
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { exportAudit, verifyAudit } from '../../access/audit/chain.js';
import { looksLikeDate, parseAuditTime } from '../../access/audit/dates.js';
import { parsePeriod } from '../../kpis/period.js';
import { SlipwayError } from '../../shared/errors.js';
import type { ApiContext } from '../context.js';

const timeHelp = 'A day (2026-10-01, midnight UTC) or an ISO time with a zone (2026-10-01T08:00:00+02:00)';

const lower = (s: string) => s[0]!.toLowerCase() + s.slice(1);

function timeParam(name: string, text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  const at = parseAuditTime(text);
  if (!at)
    throw new SlipwayError(
      'invalid_input',
      `query.${name}: "${text}" is not a date; expected ${timeHelp.toLowerCase()}`,
    );
  return at;
}

/**
 * Where the export starts: a date as timeParam reads it, or a duration back from `until` (or now) — `30d`, as
 * `slipway kpis --since` takes it, read by the same parser (parsePeriod), so both commands accept the same forms.
 */
function sinceParam(text: string | undefined, until: Date | undefined): Date | undefined {
  if (text === undefined || looksLikeDate(text)) return timeParam('since', text);
  try {
    return parsePeriod({ since: text, ...(until ? { until: until.toISOString() } : {}) }, Date.now()).since;
  } catch (e) {
    // parsePeriod names the field "since:"; the API names query parameters "query.since:".
    if (e instanceof SlipwayError) throw new SlipwayError('invalid_input', `query.${e.message}`);
    throw e;
  }
}

const verifyView = z.object({
  ok: z.boolean(),
  rows: z.number().int(),
  firstBad: z
    .object({ seq: z.number().int(), reason: z.enum(['changed', 'inserted', 'deleted']), detail: z.string() })
    .nullable(),
  head: z
    .object({ seq: z.number().int(), hash: z.string() })
    .nullable()
    .describe('The last row checked: note it to notice rows deleted from the end later'),
});

/** The audit log for auditors (admin only): JSON lines since a date, and a check of the hash chain. */
export function auditRoutes(ctx: ApiContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/audit',
      {
        config: { access: { action: 'audit.export', role: 'admin' } },
        schema: {
          summary: 'Audit entries as JSON lines (application/x-ndjson), oldest first',
          description:
            'Each line carries seq, prevHash and hash, so an exported range can be checked against the chain.',
          tags: ['audit'],
          // No response schema: the body is a stream of lines, not one JSON document.
          querystring: z.object({
            since: z
              .string()
              .optional()
              .describe(`A duration back from until or now (30d, 12h), or ${lower(timeHelp)}; default: the beginning`),
            until: z.string().optional().describe(`${timeHelp}; exclusive`),
          }),
        },
      },
      async (req, reply) => {
        const until = timeParam('until', req.query.until);
        const since = sinceParam(req.query.since, until) ?? new Date(0);
        async function* lines() {
          for await (const entry of exportAudit(ctx.db, since, until)) yield `${JSON.stringify(entry)}\n`;
        }
        return reply.type('application/x-ndjson').send(Readable.from(lines()));
      },
    );

    app.get(
      '/api/v1/audit/verify',
      {
        config: { access: { action: 'audit.verify', role: 'admin' } },
        schema: {
          summary: 'Walk the audit hash chain and name the first changed, inserted or deleted row',
          tags: ['audit'],
          response: { 200: verifyView },
        },
      },
      async () => {
        const result = await verifyAudit(ctx.db);
        return { ok: result.ok, rows: result.rows, firstBad: result.firstBad ?? null, head: result.head ?? null };
      },
    );
  };
}
