import { cpSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { inject } from 'vitest';

/**
 * Give a workspace's coordinator the run's migrated store template as its PGlite database
 * (`<dataDir>/db`), so it opens an existing store instead of running initdb. The coordinator
 * still checks and migrates the schema on open, as it does for any existing store.
 */
export function seedStore(dataDir: string): void {
  let template: string | undefined;
  try {
    template = inject('storeTemplate');
  } catch {
    // Outside vitest (npm run screenshots, bench:dashboard use System too): no template; the coordinator runs initdb.
  }
  const target = path.join(dataDir, 'db');
  if (!template || existsSync(target)) return;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  cpSync(template, target, { recursive: true });
}

/** The same for a demo workspace (its slipway.yaml keeps the default dataDir, .slipway). */
export function seedWorkspaceStore(workspace: { dir: string }): void {
  seedStore(path.join(workspace.dir, '.slipway'));
}
