import type { ApiClient } from './client.js';
import type { DeploymentView } from './follow.js';
import { logRecord, splitLines } from './log-lines.js';
import { dim, printable } from './output.js';

/**
 * The last lines the release a deployment brought wrote, for the summary of one that did not go live: a canary rolled
 * back on its figures has no crash (whose log tail the progress already shows), yet its lines say what went wrong.
 * Read through the API as `slipway logs SERVICE --env E` does; a failure to read them only leaves them out, it never
 * changes how the command ends.
 */
export async function candidateLogLines(client: ApiClient, d: DeploymentView, lines = 5): Promise<string[]> {
  const query = new URLSearchParams({
    tail: String(lines * 4),
    follow: 'false',
    timestamps: 'true',
    service: d.service,
    environment: d.environment,
  });
  try {
    const body = await client.stream(`/api/v1/projects/${encodeURIComponent(d.project)}/logs?${query}`, 'text/plain');
    // Fields read as `slipway logs --json` reads them: keep the candidate release's text.
    const own: string[] = [];
    for await (const timed of splitLines(body)) {
      const r = logRecord(timed, { env: d.environment });
      if (r.release === d.to.version) own.push(r.line);
    }
    return own.slice(-lines);
  } catch {
    return [];
  }
}

/** Those lines under the summary, escaped (an application prints whatever it likes). */
export function renderCandidateLog(d: DeploymentView, lines: string[]): string {
  if (lines.length === 0) return '';
  return [`  last log lines of ${d.to.version}:`, ...lines.map((l) => `    ${dim('│')} ${printable(l)}`)].join('\n');
}
