import type { MetricResult, Verdict } from '../../model/verdict.js';
import type { Queryable } from '../db.js';

export interface VerdictRecord extends Verdict {
  id: number;
  deploymentId: string;
  step: number;
  /** Given at the end of an analyze step (a gate), not by the continuous watch. */
  final: boolean;
}

export function toVerdict(row: Record<string, unknown>): VerdictRecord {
  return {
    id: Number(row.id),
    deploymentId: String(row.deployment_id),
    step: Number(row.step),
    at: (row.at as Date).getTime(),
    outcome: row.outcome as Verdict['outcome'],
    score: Number(row.score),
    final: Boolean(row.final),
    reason: String(row.reason),
    metrics: row.metrics as MetricResult[],
  };
}

/** Store a verdict with its explanation. */
export async function insertVerdict(
  db: Queryable,
  deploymentId: string,
  step: number,
  v: Verdict,
  final: boolean,
): Promise<VerdictRecord> {
  const { rows } = await db.query(
    `insert into verdicts (deployment_id, step, at, outcome, score, final, reason, metrics) values ($1, $2, $3, $4, ` +
      `$5, $6, $7, $8) returning *`,
    [
      deploymentId,
      step,
      new Date(v.at),
      v.outcome,
      Number.isFinite(v.score) ? v.score : 0,
      final,
      v.reason,
      JSON.stringify(v.metrics),
    ],
  );
  return toVerdict(rows[0]!);
}

/** A deployment's verdicts, newest first. */
export async function listVerdicts(db: Queryable, deploymentId: string, limit = 50): Promise<VerdictRecord[]> {
  const { rows } = await db.query(`select * from verdicts where deployment_id = $1 order by id desc limit $2`, [
    deploymentId,
    limit,
  ]);
  return rows.map(toVerdict);
}

/** The newest verdict of each of these deployments, in one query (deployments without one are absent). */
export async function latestVerdicts(db: Queryable, deploymentIds: string[]): Promise<VerdictRecord[]> {
  if (deploymentIds.length === 0) return [];
  const { rows } = await db.query(
    `select v.* from unnest($1::text[]) as k(id)
     cross join lateral (select * from verdicts where deployment_id = k.id order by id desc limit 1) v`,
    [deploymentIds],
  );
  return rows.map(toVerdict);
}
