import { dataPlaneEnvironment } from '../engine/traffic-controller.js';
import type { Engine } from '../engine/engine.js';
import type { EventLog } from '../engine/event-log.js';
import { AlertService } from '../observe/alerts/alert-service.js';
import { DatabaseReader } from '../observe/alerts/readers/database-reader.js';
import { DiskReader } from '../observe/alerts/readers/disk-reader.js';
import { ResourcesReader } from '../observe/alerts/readers/resources-reader.js';
import { ErrorsReader } from '../observe/alerts/readers/errors-reader.js';
import { TlsReader } from '../observe/alerts/readers/tls-reader.js';
import { TrafficReader } from '../observe/alerts/readers/traffic-reader.js';
import type { Runtime } from '../runtimes/runtime.js';
import { systemClock } from '../shared/clock.js';
import type { Logger } from '../shared/logging.js';
import type { Db } from '../store/db.js';
import { listInstances } from '../store/repos/instances.js';
import { getProject, listProjects } from '../store/repos/projects.js';
import type { Router } from '../traffic/router.js';

/**
 * The alert rules of every live release, with the readers whose data exists today (proxy traffic,
 * the database, instance resources, disk, TLS). A critical alert on a release under its
 * post-deploy watch rolls it back (or only reports it), as a failing verdict does.
 */
export function startAlerts(deps: {
  db: Db;
  events: EventLog;
  runtime: Runtime;
  router: Router;
  engine: Engine;
  logger: Logger;
}): AlertService {
  const { db } = deps;
  const configOf = async (project: string) => (await getProject(db, project))?.config;
  const service = new AlertService({
    db,
    events: deps.events,
    clock: systemClock,
    logger: deps.logger,
    projects: async () => (await listProjects(db)).map((p) => p.config),
    readers: [
      new TrafficReader({ router: deps.router, dataPlaneEnvironment }),
      new DatabaseReader({ configOf }),
      new ResourcesReader({
        runtime: deps.runtime,
        configOf,
        instancesOf: async (t) =>
          (
            await listInstances(db, {
              project: t.project,
              environment: t.environment,
              service: t.service,
              releaseId: t.releaseId,
              live: true,
            })
          )
            .filter((i) => i.desired === 'running')
            .map((i) => i.id),
      }),
      new DiskReader(configOf),
      new TlsReader(configOf),
      new ErrorsReader({ db, configOf }),
    ],
    onCritical: async (a) => deps.engine.watch?.alertFired(a.project, a.environment, a.service, a.reason),
  });
  service.start();
  return service;
}
