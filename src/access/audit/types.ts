/** Shapes of the audit log (the table is created by src/store/schema/004_audit.sql). */

/** Denied = the request was refused for lack of credentials or rights (401 / 403). */
export type AuditOutcome = 'allowed' | 'denied';

/** What a caller appends. `before`/`after` are small summaries, never request bodies or tokens. */
export interface AuditEntry {
  /** Defaults to the time the row is written (inside the writer lock, so times follow seq). */
  at?: Date;
  /** `name (tokenId)` of the caller, or `anonymous`. */
  actor: string;
  /** Dotted action (`deployment.create`) or `METHOD /route`. */
  action: string;
  /** What was acted on, e.g. `project=harbor service=api environment=staging`. */
  target: string;
  /** The caller's address. */
  source: string;
  outcome: AuditOutcome;
  /** The HTTP status the caller got. */
  status: number;
  before?: unknown;
  after?: unknown;
}

/** One stored row, as exported (JSON lines) and hashed. */
export interface AuditRecord {
  seq: number;
  at: Date;
  actor: string;
  action: string;
  target: string;
  source: string;
  outcome: AuditOutcome;
  status: number;
  before: unknown;
  after: unknown;
  prevHash: string;
  hash: string;
}

/** Why a row is the first bad one. */
export type AuditDefect = 'changed' | 'inserted' | 'deleted';

/** The result of walking the chain. */
export interface AuditVerification {
  ok: boolean;
  /** Rows checked: the whole log when ok, up to and including the first bad row otherwise. */
  rows: number;
  firstBad?: { seq: number; reason: AuditDefect; detail: string };
  /**
   * The last row checked. Deleting rows from the end leaves a valid, shorter chain; an auditor
   * who notes the head and compares it next time detects that.
   */
  head?: { seq: number; hash: string };
}
