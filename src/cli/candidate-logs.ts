import type { ApiClient } from './client.js';
import type { DeploymentView } from './follow.js';
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
    timestamps: 'false',
    service: d.service,
    environment: d.environment,
  });
  try {
    const body = await client.stream(`/api/v1/projects/${encodeURIComponent(d.project)}/logs?${query}`, 'text/plain');
    let text = '';
    for await (const chunk of body) text += chunk.toString();
    // With one environment asked, a line is "ins_x 1.2.0 | text": keep the candidate release's text.
    const own: string[] = [];
    for (const l of text.split('\n')) {
      const bar = l.indexOf(' | ');
      if (bar > 0 && l.slice(0, bar).split(' ')[1] === d.to.version) own.push(l.slice(bar + 3));
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
