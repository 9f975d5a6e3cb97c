import http from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** What the API needs to know about the election (several coordinators on one PostgreSQL). */
export interface LeaderView {
  isLeader(): boolean;
  /** The leader's API address, when one holds a valid lease. */
  leaderUrl(): string | undefined;
  /** For GET /api/v1/system/leader. */
  describe(): {
    role: 'leader' | 'follower';
    holder: string;
    leader?: { url: string; host: string; pid: number; token: number };
  };
}

/** Set on a forwarded request: a follower never forwards one again (no loops while the lease moves). */
export const forwardedHeader = 'x-slipway-forwarded-by';
const reads = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Acts on this coordinator itself, whoever leads. */
const local = new Set(['/api/v1/system/shutdown']);
const hopByHop = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te']);

/**
 * A follower serves reads itself and forwards every write to the leader, as it came (the leader authenticates,
 * authorizes and audits it). With no leader to forward to, the answer is 503 with Retry-After, never a guess.
 */
export function forwardWritesToLeader(view: LeaderView, self: () => string) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    if (reads.has(req.method) || local.has(req.url.split('?')[0]!) || view.isLeader()) return;
    const target = view.leaderUrl();
    if (!target || req.headers[forwardedHeader]) {
      return reply
        .status(503)
        .header('retry-after', '1')
        .send({
          error: {
            code: 'unavailable',
            message:
              'this coordinator is a follower and no leader holds the lease right now (an election is under way); ' +
              'retry in a second',
          },
        });
    }
    reply.hijack();
    await forward(req, reply, target, self());
  };
}

function forward(req: FastifyRequest, reply: FastifyReply, target: string, self: string): Promise<void> {
  return new Promise((resolve) => {
    const headers: http.OutgoingHttpHeaders = {};
    for (const [k, v] of Object.entries(req.headers)) if (!hopByHop.has(k) && v !== undefined) headers[k] = v;
    headers[forwardedHeader] = self;
    const url = new URL(req.url, target);
    const out = http.request(url, { method: req.method, headers }, (res) => {
      const back: http.OutgoingHttpHeaders = {};
      for (const [k, v] of Object.entries(res.headers)) if (!hopByHop.has(k) && v !== undefined) back[k] = v;
      reply.raw.writeHead(res.statusCode ?? 502, { ...back, 'x-slipway-leader': target });
      res.pipe(reply.raw);
      res.on('end', resolve);
      res.on('error', () => {
        reply.raw.destroy();
        resolve();
      });
    });
    out.on('error', (e) => {
      if (!reply.raw.headersSent) {
        reply.raw.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
        reply.raw.end(
          JSON.stringify({
            error: {
              code: 'unavailable',
              message:
                `this coordinator is a follower and the leader at ${target} did not answer (${e.message}); ` +
                'retry in a second',
            },
          }),
        );
      } else reply.raw.destroy();
      resolve();
    });
    req.raw.pipe(out);
  });
}
