/**
 * Once per `npm test`: a migrated PGlite store that test coordinators start from (a copy each),
 * instead of each paying for initdb and the schema (seconds apiece on a busy 2-core machine). It is loaded from
 * the migrated template the store tests cache on disk (test/support/store.ts), so a run pays initdb only when the
 * schema or PGlite changed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { migrate } from '../../src/store/migrate.js';
import { openPglite } from '../../src/store/pglite-driver.js';
import { pgliteTemplate } from './store.js';

export default async function setup(project: TestProject): Promise<() => void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'slipway-store-template-'));
  const db = await openPglite({ dataDir: path.join(dir, 'db'), loadDataDir: await pgliteTemplate('migrated') });
  try {
    await migrate(db); // a no-op on the template; checks it is the schema of this checkout
  } finally {
    await db.close();
  }
  project.provide('storeTemplate', path.join(dir, 'db'));
  return () => rmSync(dir, { recursive: true, force: true });
}

declare module 'vitest' {
  export interface ProvidedContext {
    storeTemplate: string;
  }
}
