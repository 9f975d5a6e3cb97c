import { expect, it } from 'vitest';
import { describeEachDriver } from '../../../test/support/drivers.js';
import { getServiceState, promoteStable } from './service-state.js';
import { listTraffic, replaceTraffic } from './traffic.js';

describeEachDriver('promoteStable', (getDb) => {
  const key = { project: 'harbor', environment: 'production', service: 'api' };
  const setup = async () => {
    const db = getDb();
    await db.query(`insert into projects (name, config, config_version, digest) values ('harbor', '{}', 1, 'd')`);
    for (const v of ['1', '2', '3'])
      await db.query(
        `insert into releases (id, project, service, version, spec, digest) values ($1, 'harbor', 'api', $2, '{}', $1)`,
        [`rel-${v}`, `${v}.0.0`],
      );
    // Another service's weights, which a promotion must leave alone.
    await replaceTraffic(db, { ...key, service: 'web' }, [{ releaseId: 'rel-1', role: 'stable', weight: 100 }]);
    return db;
  };

  it('makes the release stable, the one before it previous, and the only one routed, at full weight', async () => {
    const db = await setup();
    await promoteStable(db, key, 'rel-1');
    expect(await getServiceState(db, 'harbor', 'production', 'api')).toMatchObject({ stableRelease: 'rel-1' });
    expect((await getServiceState(db, 'harbor', 'production', 'api'))?.previousRelease).toBeUndefined();

    await replaceTraffic(db, key, [
      { releaseId: 'rel-1', role: 'stable', weight: 10 },
      { releaseId: 'rel-2', role: 'candidate', weight: 90 },
    ]);
    await promoteStable(db, key, 'rel-2');
    expect(await getServiceState(db, 'harbor', 'production', 'api')).toMatchObject({
      stableRelease: 'rel-2',
      previousRelease: 'rel-1',
    });
    expect(
      (await listTraffic(db, 'harbor', 'production')).map((t) => [t.service, t.releaseId, t.role, t.weight]),
    ).toEqual([
      ['api', 'rel-2', 'stable', 100],
      ['web', 'rel-1', 'stable', 100],
    ]);

    // Promoting the stable release again (a step run twice after a restart) keeps `previous`.
    await promoteStable(db, key, 'rel-2');
    expect(await getServiceState(db, 'harbor', 'production', 'api')).toMatchObject({
      stableRelease: 'rel-2',
      previousRelease: 'rel-1',
    });
  });
});
