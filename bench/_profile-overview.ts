import { request } from 'undici';
import { ensureAdminToken, generateToken } from '../src/api/auth.js';
import { validateConfigObject } from '../src/config/validate.js';
import { projectStatus } from '../src/api/status.js';
import { statusView } from '../src/api/schemas.js';
import { testApi } from '../test/support/api-harness.js';
import { engineHarness } from '../test/support/engine-harness.js';
import { listServiceStates } from '../src/store/repos/service-state.js';
import { listTraffic } from '../src/store/repos/traffic.js';
import { listInstances } from '../src/store/repos/instances.js';
import { latestDeployments } from '../src/store/repos/deployments.js';
import { latestRollouts } from '../src/store/repos/rollouts.js';

const services: Record<string, unknown> = {};
for (let i = 0; i < 50; i++) services[`svc-${String(i).padStart(2, '0')}`] = { command: 'node', args: ['server.js'], instances: 1, health: { interval: '50ms', startTimeout: '2s' }, route: { pathPrefix: `/svc-${i}` }, drainTimeout: '0s', strategy: { type: 'blue-green', keepOldFor: '0s' } };
const environments = ['dev', 'staging', 'production'];
const config = validateConfigObject({ project: 'harbor', environments: Object.fromEntries(environments.map((e, i) => [e, { listen: `127.0.0.1:${18091 + i}` }])), services }, { baseDir: '/srv/harbor' });
const h = await engineHarness(config);
h.runtime.behaviour = () => 'healthy';
const token = generateToken();
await ensureAdminToken(h.db, token);
const app = await testApi(h);
for (let round = 0; round < 3; round++) {
  const ids = await Promise.all(Object.keys(services).flatMap((service) => environments.map(async (environment) => (await h.engine.deploy({ project: 'harbor', service, environment, version: `1.${round}.0` })).id)));
  for (const id of ids) await h.waitFinished(id, 120_000);
}
const t = async (name: string, f: () => Promise<unknown>) => { const times = []; for (let i = 0; i < 20; i++) { const s = performance.now(); await f(); times.push(performance.now() - s); } times.sort((a,b)=>a-b); console.log(name, 'p50', times[10]!.toFixed(1), 'max', times[19]!.toFixed(1)); };
const pairs = config.environments.flatMap((e) => config.services.map((s) => ({ service: s.name, environment: e.name })));
// event loop lag
let lag = 0; let last = performance.now(); const iv = setInterval(() => { const now = performance.now(); lag = Math.max(lag, now - last - 10); last = now; }, 10);
await t('states', () => listServiceStates(h.db, 'harbor'));
await t('traffic', () => listTraffic(h.db, 'harbor'));
await t('instances', () => listInstances(h.db, { project: 'harbor', live: true }));
await t('deployments', () => latestDeployments(h.db, 'harbor', pairs));
await t('rollouts', () => latestRollouts(h.db, 'harbor'));
await t('projectStatus', () => projectStatus(h.db, config, true));
const s = await projectStatus(h.db, config, true);
await t('zod parse', async () => statusView.parse(s));
await t('stringify', async () => JSON.stringify(s));
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
const port = typeof address === 'object' && address ? address.port : 0;
await t('http', async () => { const r = await request(`http://127.0.0.1:${port}/api/v1/projects/harbor/status`, { headers: { authorization: `Bearer ${token}` } }); await r.body.text(); });
console.log('max loop lag', lag.toFixed(1));
clearInterval(iv);
await app.close(); await h.close();
