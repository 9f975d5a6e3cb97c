/**
 * What the alert rules can measure. A reader answers for one target (a service of a project in an
 * environment, running one live release) with named readings; rules only name a reading, so a new
 * source of data — Sentry-protocol error events, for "errors affecting more than 5 % of users" —
 * is one more reader and one more rule, with no change to the evaluation.
 *
 * Outside systems fail as data, as for signal sources: a reader never throws; a check it could
 * not make (a TLS endpoint that does not answer, a path it cannot stat) is a reading with phase
 * `error`, which is shown but never fires an alert.
 */

/**
 * One service in one environment, as it runs now. Environment-wide readers (TLS endpoints, the
 * database) are given the environment only: `service` and the release fields are then empty.
 */
export interface AlertTarget {
  project: string;
  environment: string;
  service: string;
  /** The live (stable) release's version and id. */
  release: string;
  releaseId: string;
  /** The release it replaced, when there was one: its traffic before the rollout is the baseline. */
  previousRelease?: string;
  /** When the live release became live (ms since the epoch). */
  liveSince: number;
}

/** A reading: `value` compared with a rule's threshold; `baseline` when the rule compares against one. */
export type AlertReading =
  | {
      /** Reading name the rules refer to, e.g. `latency_p95_ms`. */
      name: string;
      /**
       * Extra labels telling readings of one name apart (instance, volume, endpoint). An
       * environment-wide reading may name the `service` it concerns (the database's service).
       */
      labels: Record<string, string>;
      phase: 'ok';
      value: number;
      baseline?: number;
      /** For people: what was measured ("p95 182 ms over 412 requests"). */
      detail?: string;
    }
  | { name: string; labels: Record<string, string>; phase: 'error' | 'nodata'; message: string };

export interface AlertReader {
  /** Short name ("proxy", "database", "resources", "disk", "tls"). */
  readonly name: string;
  /** `service`: read once per live service; `environment`: once per environment per round. */
  readonly scope: 'service' | 'environment';
  /**
   * Read everything this reader measures about the target. Never throws; may block up to its own
   * timeout (a TLS handshake, a database probe), never longer than `signal` allows.
   */
  read(target: AlertTarget, signal?: AbortSignal): Promise<AlertReading[]>;
  /** Release connections and buffers. Idempotent. */
  close(): Promise<void>;
}
