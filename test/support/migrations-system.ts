import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { freshPostgres, type FreshPostgres } from './store.js';
import { System } from './system.js';

/**
 * A coordinator whose project has a database (a fresh PostgreSQL) and release 1.0.0 deployed to staging with three
 * migrations: a table and an expand migration (applied by the deployment) and a contract migration for releases from
 * 2.0.0, which waits while 1.0.0 is live. For the Migrations view's test and screenshots.
 */
export async function systemWithMigrations(): Promise<{ system: System; database: FreshPostgres }> {
  const database = await freshPostgres({ migrated: false });
  const system = await System.start({
    instances: 1,
    drainTimeout: '1s',
    extraTopLevel: `database: { url: "${database.url}", migrations: "releases/{version}/migrations", lockTimeout: 1s }`,
  }).catch(async (e: unknown) => {
    await database.drop();
    throw e;
  });
  const dir = path.join(system.workspace.dir, 'releases', '1.0.0', 'migrations');
  mkdirSync(dir, { recursive: true });
  const files: Record<string, string> = {
    '0001_vessels.up.sql':
      'create table vessels (id bigint generated always as identity primary key, name text, tonnage integer);\n',
    '0001_vessels.down.sql': 'drop table vessels;\n',
    '0002_add_flag.up.sql': '-- slipway: phase=expand\nalter table vessels add column flag text;\n',
    '0002_add_flag.down.sql': 'alter table vessels drop column flag;\n',
    '0003_drop_tonnage.up.sql':
      '-- slipway: phase=contract after=2.0.0\n-- slipway: irreversible\nalter table vessels drop column tonnage;\n',
  };
  for (const [name, sql] of Object.entries(files)) writeFileSync(path.join(dir, name), sql);
  try {
    const d = await system.deployed('1.0.0');
    if (d.state !== 'succeeded') throw new Error(`deploying 1.0.0 with its migrations ended ${d.state}`);
  } catch (e) {
    await system.close();
    await database.drop();
    throw e;
  }
  return { system, database };
}
