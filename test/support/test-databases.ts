/**
 * Global setup of both test projects: at the end of the run, the test databases the pools kept (postgres-pool.ts)
 * are dropped, with those a crashed run left behind.
 */
import { dropLeftoverDatabases } from './store.js';

export default function setup(): () => Promise<void> {
  return async () => {
    await dropLeftoverDatabases({ ownToo: true }).catch(() => undefined);
  };
}
