import { request } from 'undici';
import { ensureAdminToken, generateToken } from '../src/api/auth.js';
import { validateConfigObject } from '../src/config/validate.js';
import { testApi } from '../test/support/api-harness.js';
import { engineHarness } from '../test/support/engine-harness.js';

/**
 * The API behind the overview (GET /api/v1/projects/:project/overview; `route: 'status'` measures the full status the
 * CLI reads, for comparison) on a store holding `services` services × 3 environments, each deployed `rounds` times
 * (history), by the real engine with the fake runtime; then `requests` calls over HTTP, one at a time. Returns latency
 * percentiles in ms.
 */
export async function overviewApiLatency(options: {
  services: number;
  rounds: number;
  requests: number;
  routes?: ('overview' | 'status')[];
}) {
  const services: Record<string, unknown> = {};
  for (let i = 0; i < options.services; i++) {
    services[`svc-${String(i).padStart(2, '0')}`] = {
      command: 'node',
      args: ['server.js'],
      instances: 1,
      health: { interval: '50ms', startTimeout: '2s' },
      route: { pathPrefix: `/svc-${i}` },
      drainTimeout: '0s',
      strategy: { type: 'blue-green', keepOldFor: '0s' },
    };
  }
  const environments = ['dev', 'staging', 'production'];
  const config = validateConfigObject(
    {
      project: 'harbor',
      environments: Object.fromEntries(environments.map((e, i) => [e, { listen: `127.0.0.1:${18091 + i}` }])),
      services,
    },
    { baseDir: '/srv/harbor' },
  );
  const h = await engineHarness(config);
  h.runtime.behaviour = () => 'healthy';
  const token = generateToken();
  await ensureAdminToken(h.db, token);
  const app = await testApi(h);
  try {
    for (let round = 0; round < options.rounds; round++) {
      const ids = await Promise.all(
        Object.keys(services).flatMap((service) =>
          environments.map(
            async (environment) =>
              (await h.engine.deploy({ project: 'harbor', service, environment, version: `1.${round}.0` })).id,
          ),
        ),
      );
      for (const id of ids) await h.waitFinished(id, 120_000);
    }
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    // The routes take turns, request by request, so background work of the engine (instances retiring after the
    // last round) weighs on each alike rather than on whichever is measured first.
    const routes = options.routes ?? ['overview'];
    const times = new Map(routes.map((r) => [r, [] as number[]]));
    const bytes = new Map<string, number>();
    for (let i = 0; i < options.requests + 10; i++) {
      for (const route of routes) {
        const started = performance.now();
        const res = await request(`http://127.0.0.1:${port}/api/v1/projects/harbor/${route}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        const body = await res.body.text();
        if (res.statusCode !== 200) throw new Error(`${route} answered ${res.statusCode}: ${body.slice(0, 200)}`);
        if (i >= 10) times.get(route)!.push(performance.now() - started); // the first ten warm the JIT and caches
        bytes.set(route, body.length);
      }
    }
    const results = routes.map((route) => {
      const sorted = times.get(route)!.sort((a, b) => a - b);
      const at = (q: number) =>
        Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! * 10) / 10;
      return {
        route: `GET /api/v1/projects/:project/${route}`,
        requests: sorted.length,
        responseBytes: bytes.get(route)!,
        p50Ms: at(0.5),
        p95Ms: at(0.95),
        maxMs: at(1),
      };
    });
    return {
      services: options.services,
      environments: environments.length,
      deployments: options.services * environments.length * options.rounds,
      ...results[0]!,
      ...(results.length > 1 ? { others: results.slice(1) } : {}),
    };
  } finally {
    await app.close();
    await h.close();
  }
}
