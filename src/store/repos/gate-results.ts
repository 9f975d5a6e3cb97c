import type { GatePhase, GateResult } from '../../model/gate-result.js';
import type { Queryable } from '../db.js';
import { optionalText } from './rows.js';

export interface GateResultRecord extends Omit<GateResult, 'message'> {
  id: number;
  deploymentId: string;
  phase: GatePhase;
  /** The one-line summary is kept in `detail.message`, so the table needs no column for it. */
  message: string;
  at: Date;
}

function toRecord(row: Record<string, unknown>): GateResultRecord {
  const { message, ...detail } = (row.detail ?? {}) as Record<string, unknown>;
  const exitCode = row.exit_code === null || row.exit_code === undefined ? undefined : Number(row.exit_code);
  const outputTail = optionalText(row.output_tail);
  return {
    id: Number(row.id),
    deploymentId: String(row.deployment_id),
    phase: row.phase as GatePhase,
    name: String(row.name),
    kind: row.kind as GateResult['kind'],
    outcome: row.outcome as GateResult['outcome'],
    message: typeof message === 'string' ? message : '',
    durationMs: Number(row.duration_ms),
    ...(exitCode === undefined ? {} : { exitCode }),
    ...(outputTail === undefined ? {} : { outputTail }),
    detail,
    at: row.at as Date,
  };
}

/** Store one gate result of a deployment. */
export async function insertGateResult(
  db: Queryable,
  deploymentId: string,
  phase: GatePhase,
  r: GateResult,
  at: Date,
): Promise<GateResultRecord> {
  const { rows } = await db.query(
    `insert into gate_results (deployment_id, phase, name, kind, outcome, exit_code, duration_ms, output_tail,
      detail, at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning *`,
    [
      deploymentId,
      phase,
      r.name,
      r.kind,
      r.outcome,
      r.exitCode ?? null,
      Math.round(r.durationMs),
      r.outputTail ?? null,
      JSON.stringify({ ...r.detail, message: r.message }),
      at,
    ],
  );
  return toRecord(rows[0]!);
}

/** A deployment's gate results in the order they ran. */
export async function listGateResults(db: Queryable, deploymentId: string): Promise<GateResultRecord[]> {
  const { rows } = await db.query(`select * from gate_results where deployment_id = $1 order by id`, [deploymentId]);
  return rows.map(toRecord);
}
