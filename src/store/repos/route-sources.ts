import type { ProjectConfig } from '../../config/model.js';
import { readStoredConfig } from '../../config/stored.js';
import type { Queryable } from '../db.js';
import type { TrafficRecord } from './traffic.js';

/** An upstream of a route table: an instance meant to serve that is healthy and has an address. */
export interface RoutableInstance {
  id: string;
  service: string;
  releaseId: string;
  address: string;
}

/** What an environment's route table is built from, read at one moment. */
export interface RouteSources {
  digest: string;
  /** The project's config, absent when its digest is the `knownDigest` given (the caller keeps it). */
  config?: ProjectConfig;
  /** The environment's weights, by service, stable before candidate (the order listTraffic gives). */
  traffic: Omit<TrafficRecord, 'project' | 'environment'>[];
  /** Its routable instances, oldest first (as listRoutable). */
  instances: RoutableInstance[];
}

/**
 * The project's config (unless its digest is `knownDigest`), an environment's weights and its routable instances, in
 * one statement: a route push is made on every weight change and every instance that turns healthy or not, and its
 * three statements one after another (config digest, then weights and instances) were, behind the connection pool,
 * the largest wait of a step with 20 deployments in flight (bench/scale.ts). One statement also reads all three from
 * one snapshot. With `services`, only theirs: a table of 200 services is 400 weights and 400 instances to aggregate,
 * send and parse, where a push after one deployment's step changes one service. Undefined when there is no such
 * project.
 */
export async function readRouteSources(
  db: Queryable,
  project: string,
  environment: string,
  knownDigest: string | undefined,
  /** Only these services' weights and instances (a push after a change of a few services); default all. */
  services?: readonly string[],
): Promise<RouteSources | undefined> {
  const { rows } = await db.query(
    `select p.digest, p.config_version, case when p.digest = $3 then null else p.config end as config,
       coalesce((select json_agg(json_build_array(t.service, t.release_id, t.role, t.weight)
                   order by t.service, t.role desc)
                 from traffic t where t.project = $1 and t.environment = $2
                   and ($4::text[] is null or t.service = any($4))), '[]'::json) as traffic,
       coalesce((select json_agg(json_build_array(i.id, i.service, i.release_id, i.address) order by i.started_at, i.id)
                 from instances i
                 where i.project = $1 and i.environment = $2 and i.desired <> 'stopped' and i.desired = 'running'
                   and i.state = 'healthy'
                   and i.address is not null and ($4::text[] is null or i.service = any($4))), '[]'::json) as instances
     from projects p where p.name = $1`,
    [project, environment, knownDigest ?? null, services ? [...services] : null],
  );
  const row = rows[0];
  if (!row) return undefined;
  const traffic = (row.traffic as [string, string, TrafficRecord['role'], number][]).map(
    ([service, releaseId, role, weight]) => ({ service, releaseId, role, weight: Number(weight) }),
  );
  const instances = (row.instances as [string, string, string, string][]).map(([id, service, releaseId, address]) => ({
    id,
    service,
    releaseId,
    address,
  }));
  const digest = String(row.digest);
  const config =
    row.config === null || row.config === undefined
      ? undefined
      : readStoredConfig(project, row.config, Number(row.config_version));
  return { digest, ...(config ? { config } : {}), traffic, instances };
}
