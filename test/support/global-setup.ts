/**
 * Once per `npm test`: a migrated PGlite store that test coordinators start from (a copy each),
 * instead of each paying for initdb and the schema (seconds apiece on a busy 2-core machine).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { openStore } from '../../src/store/open.js';

export default async function setup(project: TestProject): Promise<() => void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'slipway-store-template-'));
  const db = await openStore({ dataDir: dir });
  await db.close();
  project.provide('storeTemplate', path.join(dir, 'db'));
  return () => rmSync(dir, { recursive: true, force: true });
}

declare module 'vitest' {
  export interface ProvidedContext {
    storeTemplate: string;
  }
}
