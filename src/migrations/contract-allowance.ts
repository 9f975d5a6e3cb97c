import type { FileReport, MigrationPhase } from './types.js';

/**
 * A contract migration exists to make the breaking and data-losing change its expand prepared;
 * what guards it is that it runs only once no live release needs the old schema. So its
 * breaking / data-loss findings count as allowed (and say why); locking ones still need an allow.
 */
export function allowContractFindings(report: FileReport, phase: MigrationPhase | null): FileReport {
  if (phase !== 'contract') return report;
  for (const statement of report.statements) {
    for (const finding of statement.findings) {
      if (finding.allowedBecause === null && (finding.class === 'breaking' || finding.class === 'data-loss')) {
        finding.allowedBecause = 'phase=contract: runs only once no live release needs the old schema';
      }
    }
  }
  return report;
}
