import { expect, it } from 'vitest';
import { describeEachDriver } from '../../../test/support/drivers.js';
import { insertReleaseIfAbsent } from './releases.js';

describeEachDriver('insertReleaseIfAbsent', (getDb) => {
  it('stores a new release, and returns the stored one for a service and version already there', async () => {
    const db = getDb();
    await db.query(`insert into projects (name, config, config_version, digest) values ('harbor', '{}', 1, 'd')`);
    const release = { project: 'harbor', service: 'api', version: '1.0.0', spec: { command: 'node' }, digest: 'a' };
    const first = await insertReleaseIfAbsent(db, { ...release, id: 'rel-1' } as never);
    expect(first).toMatchObject({ id: 'rel-1', version: '1.0.0', digest: 'a' });
    expect(first.createdAt).toBeInstanceOf(Date);
    // Asked again (another environment deploys the same version): the first one, never a second row.
    const again = await insertReleaseIfAbsent(db, { ...release, id: 'rel-2', digest: 'b' } as never);
    expect(again).toEqual(first);
    const { rows } = await db.query(`select id from releases`);
    expect(rows).toEqual([{ id: 'rel-1' }]);
  });
});
