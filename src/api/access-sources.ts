import { SlipwayError } from '../shared/errors.js';
import type { Db } from '../store/db.js';
import { getDeployment } from '../store/repos/deployments.js';
import { getIncident } from '../store/repos/incidents.js';
import { getInstance } from '../store/repos/instances.js';
import { getRollout } from '../store/repos/rollouts.js';
import { getScheduled } from '../store/repos/scheduled-deployments.js';

type Req = { params: unknown };

/**
 * `config.access.environment` for routes addressed by deployment id: the stored deployment's
 * environment. A missing deployment is a 404 here, before authorization, since there is no
 * environment to check (ids are random, so this reveals nothing guessable).
 */
export function deploymentEnvironment(db: Db) {
  return async (req: Req): Promise<string> => {
    const id = (req.params as { id: string }).id;
    const d = await getDeployment(db, id);
    if (!d) throw new SlipwayError('not_found', `no deployment ${id}`);
    return d.environment;
  };
}

/** `config.access.environment` for routes addressed by instance id: the stored instance's environment. */
export function instanceEnvironment(db: Db) {
  return async (req: Req): Promise<string> => {
    const id = (req.params as { id: string }).id;
    const i = await getInstance(db, id);
    if (!i) throw new SlipwayError('not_found', `no instance ${id}`);
    return i.environment;
  };
}

/** `config.access.environment` for routes addressed by rollout id: the stored rollout's environment. */
export function rolloutEnvironment(db: Db) {
  return async (req: Req): Promise<string> => {
    const id = (req.params as { id: string }).id;
    const r = await getRollout(db, id);
    if (!r) throw new SlipwayError('not_found', `no rollout ${id}`);
    return r.environment;
  };
}

/** `config.access.environment` for routes addressed by incident id: the stored incident's environment. */
export function incidentEnvironment(db: Db) {
  return async (req: Req): Promise<string> => {
    const id = (req.params as { id: string }).id;
    const i = await getIncident(db, id);
    if (!i) throw new SlipwayError('not_found', `no incident ${id}`);
    return i.environment;
  };
}

/** `config.access.environment` for routes addressed by scheduled deployment id: the environment it is for. */
export function scheduledEnvironment(db: Db) {
  return async (req: Req): Promise<string> => {
    const id = (req.params as { id: string }).id;
    const s = await getScheduled(db, id);
    if (!s) throw new SlipwayError('not_found', `no scheduled deployment ${id}`);
    return s.environment;
  };
}
