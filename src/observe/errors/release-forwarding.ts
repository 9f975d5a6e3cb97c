import type { Queryable } from '../../store/db.js';
import { listProjects } from '../../store/repos/projects.js';

/** Whether any project creates releases in its team's Sentry (`errors.forward.releases`). */
export async function anyProjectForwardsReleases(db: Queryable): Promise<boolean> {
  // Read as the follower reads a project (stored configs upgraded to this version's model), not by a JSON path.
  return (await listProjects(db)).some((p) => p.config.errors.forward?.releases !== undefined);
}
