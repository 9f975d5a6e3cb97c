import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RecordingRouter } from '../../test/support/fake-runtime.js';
import { freshPglite } from '../../test/support/store.js';
import type { ProjectConfig } from '../config/model.js';
import { validateConfigObject } from '../config/validate.js';
import { silentLogger } from '../shared/logging.js';
import type { Db } from '../store/db.js';
import { insertInstances, updateInstanceStatus } from '../store/repos/instances.js';
import { upsertProject } from '../store/repos/projects.js';
import { listTraffic, replaceTraffic } from '../store/repos/traffic.js';
import { TrafficController } from './traffic-controller.js';

const configOf = (prefix: string): ProjectConfig =>
  validateConfigObject(
    {
      project: 'harbor',
      environments: { staging: { listen: '127.0.0.1:18080' } },
      services: Object.fromEntries(
        ['api', 'web'].map((s) => [
          s,
          { command: 'node', args: ['server.js'], route: { pathPrefix: `${prefix}${s}` } },
        ]),
      ),
    },
    { baseDir: '/srv/harbor' },
  );

/** Upstream ids and weights by service in the last table the router was given. */
function routed(router: RecordingRouter) {
  const table = router.last('harbor.staging');
  return Object.fromEntries(
    (table?.routes ?? []).map((r) => [
      r.service,
      r.releases.map((s) => `${s.release}:${s.weight}:${s.upstreams.map((u) => u.id).join('+')}`),
    ]),
  );
}

describe('TrafficController', () => {
  let db: Db;
  let router: RecordingRouter;
  let traffic: TrafficController;
  let n = 0;
  const key = (service: string) => ({ project: 'harbor', environment: 'staging', service });
  /** Release `version` of a service routed too, at `weight`, with one healthy instance. */
  const serve = async (service: string, version: string, weight: number) => {
    const releaseId = `rel-${service}-${version}`;
    await db.query(
      `insert into releases (id, project, service, version, spec, digest) values ($1, 'harbor', $2, $3, '{}', $1)
       on conflict do nothing`,
      [releaseId, service, version],
    );
    const routedNow = (await listTraffic(db, 'harbor', 'staging', service)).map(({ releaseId, role, weight }) => ({
      releaseId,
      role,
      weight,
    }));
    await replaceTraffic(db, key(service), [...routedNow, { releaseId, role: 'stable', weight }]);
    const id = `ins-${service}-${++n}`;
    await insertInstances(db, [
      { id, ...key(service), releaseId, deploymentId: undefined, runtime: 'fake', spec: {} as never },
    ]);
    await updateInstanceStatus(db, id, { state: 'healthy', address: `127.0.0.1:${20000 + n}` });
  };

  beforeEach(async () => {
    n = 0;
    db = await freshPglite();
    router = new RecordingRouter();
    traffic = new TrafficController(db, router, silentLogger);
    await upsertProject(db, 'harbor', configOf('/'), 'digest-1');
    await serve('api', '1', 100);
    await serve('web', '1', 100);
    await traffic.push('harbor', 'staging');
  });
  afterEach(async () => {
    await db.close();
  });

  it('a push naming a service reads only it and keeps the other routes of the table as last applied', async () => {
    expect(routed(router)).toEqual({ api: ['1:100:ins-api-1'], web: ['1:100:ins-web-2'] });
    await serve('api', '2', 50);
    await serve('web', '2', 50);
    await traffic.push('harbor', 'staging', 'api');
    // web's change was not announced: only api's was read. The whole table is still applied, every route in it.
    expect(routed(router)).toEqual({
      api: ['1:100:ins-api-1', '2:50:ins-api-3'],
      web: ['1:100:ins-web-2'],
    });
    await traffic.push('harbor', 'staging');
    expect(routed(router).web).toEqual(['1:100:ins-web-2', '2:50:ins-web-4']);
  });

  it('an unchanged service applies nothing', async () => {
    const applied = router.applied.length;
    await traffic.push('harbor', 'staging', 'web');
    expect(router.applied.length).toBe(applied);
  });

  it('a changed config is read whole, even by a push naming one service', async () => {
    await upsertProject(db, 'harbor', configOf('/v2/'), 'digest-2');
    await serve('web', '2', 50);
    await traffic.push('harbor', 'staging', 'api');
    const table = router.last('harbor.staging')!;
    expect(table.routes.map((r) => r.match.pathPrefix)).toEqual(['/v2/api', '/v2/web']);
    expect(routed(router).web).toEqual(['1:100:ins-web-2', '2:50:ins-web-3']);
  });

  it('after a failed apply the next push reads the whole table again', async () => {
    await serve('web', '2', 50);
    router.down();
    await expect(traffic.push('harbor', 'staging', 'web')).rejects.toThrow();
    router.restart();
    await serve('api', '2', 50);
    await traffic.push('harbor', 'staging', 'api');
    expect(routed(router)).toEqual({
      api: ['1:100:ins-api-1', '2:50:ins-api-4'],
      web: ['1:100:ins-web-2', '2:50:ins-web-3'],
    });
  });
});
