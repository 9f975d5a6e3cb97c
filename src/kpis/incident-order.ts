import { severities } from '../model/incident.js';
import type { IncidentFact } from './model.js';

/**
 * Open incidents as people should read them: the worst severity first (sev1 … sev4, then any severity Slipway does
 * not know, then none), and within one severity the oldest first — it has hurt longest. Start time alone listed a
 * sev4 above a sev2 that opened after it.
 */
export function byUrgency<T extends Pick<IncidentFact, 'id' | 'severity' | 'openedAt'>>(incidents: readonly T[]): T[] {
  const rank = (s: string | undefined) => {
    const known = (severities as readonly string[]).indexOf(s ?? '');
    return known >= 0 ? known : s === undefined ? severities.length + 1 : severities.length;
  };
  return [...incidents].sort(
    (a, b) => rank(a.severity) - rank(b.severity) || a.openedAt - b.openedAt || a.id.localeCompare(b.id),
  );
}
