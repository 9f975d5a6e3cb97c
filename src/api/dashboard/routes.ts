import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { type DashboardFile, loadDashboard } from './files.js';

/**
 * The dashboard's page itself: no inline script or style, nothing from another origin, not framable. Scripts of the
 * page are Vite's hashed modules from this origin; charts set styles through the CSSOM, which style-src allows.
 */
export const dashboardCsp = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const notBuilt =
  'the dashboard is not built into this install: run `npm run build` (it builds web/ into dist/web/) and restart';

/** A path with a broken %-escape names no file (and is not a 500). */
function safeDecode(url: string): string {
  try {
    return decodeURIComponent(url);
  } catch {
    return url;
  }
}

function send(req: FastifyRequest, reply: FastifyReply, file: DashboardFile): FastifyReply {
  reply
    .header('content-security-policy', dashboardCsp)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'same-origin')
    .header('cache-control', file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
    .header('vary', 'accept-encoding')
    .type(file.type);
  const gzip = file.gzip && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  if (gzip) reply.header('content-encoding', 'gzip');
  return reply.send(gzip ? file.gzip : file.body);
}

/**
 * Serve the built dashboard at `/`: its files by path, and index.html for every other page path (the
 * client-side router's /deployments/:id …), so a reload or a shared link opens the same view. Public: the page
 * holds no data; everything it shows comes from /api/v1 with the session cookie.
 */
export function dashboardRoutes(dir?: string): FastifyPluginAsync {
  return async (app) => {
    const files = loadDashboard(dir);
    const access = { action: 'dashboard.page', role: 'viewer', public: true } as const;
    const page = async (req: FastifyRequest, reply: FastifyReply) => {
      const url = req.url.split('?')[0]!;
      // Unknown API paths keep their JSON 404 instead of getting the page.
      if (url.startsWith('/api/') || url === '/healthz' || url === '/metrics') {
        return reply.status(404).send({
          error: { code: 'not_found', message: `no route ${req.method} ${url} (see /api/v1/openapi.json)` },
        });
      }
      const index = files.get('/index.html');
      if (!index) return reply.status(503).type('text/plain; charset=utf-8').send(notBuilt);
      const file = files.get(safeDecode(url));
      if (file) return send(req, reply, file);
      // A missing hashed asset is a 404 (an old page asking for a chunk that is gone), not the page.
      if (url.startsWith('/assets/') || /\.[a-z0-9]+$/i.test(url)) {
        return reply.status(404).type('text/plain; charset=utf-8').send(`no file ${url} in the dashboard build`);
      }
      return send(req, reply, index);
    };
    app.get('/', { schema: { hide: true }, config: { access } }, page);
    app.get('/*', { schema: { hide: true }, config: { access } }, page);
  };
}
