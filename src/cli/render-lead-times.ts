import { formatDuration } from '../shared/duration.js';
import { table } from './output.js';

/** GET /api/v1/projects/:project/lead-times as the CLI receives it. */
export interface LeadTimesView {
  leadTimes: {
    deployment: string;
    service: string;
    environment: string;
    version: string;
    sha: string;
    committedAt: string;
    finishedAt: string;
    leadTimeMs: number;
  }[];
  median: { deployments: number; leadTimeMs: number | null };
}

/** Lead times as a table and the median under it; says how to get some when there are none. */
export function renderLeadTimes(view: LeadTimesView): string {
  if (view.leadTimes.length === 0) {
    return (
      'no lead times yet: they are measured for releases deployed from a GitHub push (triggers.github in ' +
      'slipway.yaml)\n'
    );
  }
  const rows = view.leadTimes.map((l) => [
    l.deployment,
    l.service,
    l.environment,
    l.version,
    l.sha.slice(0, 7),
    l.committedAt,
    l.finishedAt,
    formatDuration(l.leadTimeMs),
  ]);
  const median = view.median.leadTimeMs === null ? '-' : formatDuration(view.median.leadTimeMs);
  const headers = ['DEPLOYMENT', 'SERVICE', 'ENV', 'VERSION', 'COMMIT', 'COMMITTED', 'FINISHED', 'LEAD TIME'];
  const { deployments } = view.median;
  const over = `${deployments} deployment${deployments === 1 ? '' : 's'}`;
  return `${table(headers, rows)}\nmedian lead time: ${median} over ${over}\n`;
}
