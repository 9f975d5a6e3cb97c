import { migrationStatus } from '../../migrations/runner/status.js';
import { describeBlockers } from '../../migrations/sequencing/blockers.js';
import type { GlobalOptions } from '../context.js';
import { ago, painted, printJson, table } from '../output.js';
import { checkContracts } from './contracts.js';
import { databaseUrlOf, migrationSource, type SourceOptions } from './source.js';
import { stateWord } from '../state-word.js';

/** `slipway migrate status`: exit 1 when drift, a missing file or a partial migration is found. */
export async function runStatus(
  global: GlobalOptions,
  opts: SourceOptions & { env?: string; json?: boolean },
): Promise<number> {
  const source = await migrationSource(global, opts);
  const url = databaseUrlOf(source.config, opts.env);
  const rows = await migrationStatus({ url, migrations: source.migrations });
  const pending = source.migrations.filter((m) => rows.some((r) => r.version === m.version && r.state === 'pending'));
  const checks = await checkContracts(global, source.config, opts.env, pending, opts.version);
  const waits = new Map(
    checks.map((c) => [
      c.migration.id,
      c.blockers === null
        ? `unknown: ${c.unknown}`
        : c.blockers.length > 0
          ? `blocked by ${describeBlockers(c.blockers)}`
          : 'ready: no live release needs the old schema',
    ]),
  );
  const bad = rows.some((r) => r.state === 'drift' || r.state === 'missing-file' || r.state === 'partial');
  if (opts.json) {
    printJson({ migrations: rows.map((r) => ({ ...r, contract: waits.get(r.id) ?? null })) });
    return bad ? 1 : 0;
  }
  const phaseOf = (id: string) => source.migrations.find((m) => m.id === id)?.phase ?? '';
  process.stdout.write(
    `${table(
      ['VERSION', 'MIGRATION', 'PHASE', 'STATE', 'APPLIED', 'RELEASE', 'NOTE'],
      rows.map((r) => [
        String(r.version),
        r.id,
        phaseOf(r.id),
        painted(stateWord(r.state)),
        r.appliedAt ? ago(new Date(r.appliedAt).toISOString()) : '',
        r.release ?? '',
        waits.get(r.id) ?? (r.state === 'drift' ? 'the file changed after it was applied' : ''),
      ]),
    )}\n`,
  );
  return bad ? 1 : 0;
}
