import type { LeaderView } from './leader-forward.js';
import type { SecretVault } from '../access/secrets/vault.js';
import type { DatabaseBackups } from '../migrations/backups/service.js';
import type { ErrorIngest } from '../observe/errors/error-ingest.js';
import type { Engine } from '../engine/engine.js';
import type { EventLog } from '../engine/event-log.js';
import type { Logger } from '../shared/logging.js';
import type { Db } from '../store/db.js';
import type { CoordinatorMetrics } from './metrics.js';
import type { OverviewCache } from './overview/cache.js';
import type { PrincipalCache } from '../access/principal-cache.js';

/** What the API's routes are given. Reads go to the store; changes go through the engine. */
export interface ApiContext {
  db: Db;
  engine: Engine;
  events: EventLog;
  logger: Logger;
  metrics: CoordinatorMetrics;
  version: string;
  startedAt: number;
  /** Called by POST /api/v1/system/shutdown after the response is sent. */
  shutdown: (options: { stopInstances: boolean }) => void;
  /** Per-environment secrets; absent, the secret routes answer 503. */
  secrets?: SecretVault;
  /** Sentry-protocol error ingest; absent, the API makes its own. */
  errors?: ErrorIngest;
  /** Database backups and restores; absent, their routes answer 503. */
  backups?: DatabaseBackups;
  /** Several coordinators on one PostgreSQL: who leads; absent, this coordinator is the only one. */
  leadership?: LeaderView;
  /** False while the coordinator is starting (GET /healthz answers 503); absent, always ready. */
  ready?: () => boolean;
  /** Which data plane serves traffic (proxy.kind); absent, the built-in proxy. */
  dataPlane?: { kind: 'builtin' | 'haproxy' };
  /** This coordinator's own API address (the follower names itself when it forwards). */
  selfUrl?: () => string;
  /** The overview of each project kept current by the event log; absent, buildApi makes one. */
  overview?: OverviewCache;
  /** Principals of recent requests (src/access/principal-cache.ts); absent, buildApi makes one. */
  principals?: PrincipalCache;
}
