import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { publicRoutes, requireRouteAccess } from './route-access.js';

describe('publicRoutes', () => {
  it('a route declaring public must be listed; listed ones register', async () => {
    const app = Fastify();
    app.addHook('onRoute', requireRouteAccess(app));
    expect(() =>
      app.get('/api/v1/leak', { config: { access: { action: 'x', role: 'viewer', public: true } } }, async () => 'x'),
    ).toThrow(/GET \/api\/v1\/leak declares access.public but is not listed in publicRoutes/);
    expect(publicRoutes.has('GET /status/:project')).toBe(true);
    app.get('/status/:project', { config: { access: { action: 's', role: 'viewer', public: true } } }, async () => 's');
    await app.ready();
    await app.close();
  });
});
