import { expect, it } from 'vitest';
import { describeEachDriver } from '../../../test/support/drivers.js';
import { insertDeployment } from './deployments.js';
import { linkDetails } from './incident-link-details.js';
import { insertReleaseIfAbsent } from './releases.js';

describeEachDriver('linkDetails', (getDb) => {
  it('names the service and versions of linked deployments and releases, not alerts, issues or gone rows', async () => {
    const db = getDb();
    await db.query(`insert into projects (name, config, config_version, digest) values ('harbor', '{}', 1, 'd')`);
    for (const version of ['1.0.0', '9.9.9'])
      await insertReleaseIfAbsent(db, {
        id: `rel_${version}`,
        project: 'harbor',
        service: 'quote-api',
        version,
        spec: { command: 'node' },
        digest: version,
      } as never);
    const deployment = (id: string, fromRelease: string | undefined, environment: string) =>
      insertDeployment(db, {
        id,
        project: 'harbor',
        service: 'quote-api',
        environment,
        kind: 'deploy',
        fromRelease,
        toRelease: 'rel_9.9.9',
        strategy: 'canary',
        plan: { steps: [] } as never,
        requestedBy: 'dana',
        settings: {} as never,
        state: 'running',
      });
    await deployment('dep_1', 'rel_1.0.0', 'production');
    await deployment('dep_first', undefined, 'staging');
    const details = await linkDetails(db, [
      { kind: 'deployment', ref: 'dep_1' },
      { kind: 'deployment', ref: 'dep_first' },
      { kind: 'release', ref: 'rel_9.9.9' },
      { kind: 'release', ref: 'rel_gone' },
      { kind: 'alert', ref: 'high-error-rate' },
      { kind: 'issue', ref: 'iss_1' },
    ]);
    expect(Object.fromEntries(details)).toEqual({
      'deployment:dep_1': { service: 'quote-api', fromVersion: '1.0.0', version: '9.9.9' },
      'deployment:dep_first': { service: 'quote-api', version: '9.9.9' },
      'release:rel_9.9.9': { service: 'quote-api', version: '9.9.9' },
    });
    expect((await linkDetails(db, [])).size).toBe(0);
  });
});
