/** The postmortem's Figures: the verdicts of each deployment linked to the incident, labelled with it. */
import type { VerdictRecord } from '../store/repos/verdicts.js';
import { markdownText as md } from './markdown-text.js';
import type { PostmortemInput } from './postmortem.js';
import { figureLine } from './timeline.js';

function iso(d: Date): string {
  return d.toISOString().replace('.000Z', 'Z');
}

function verdictLines(v: VerdictRecord): string[] {
  return [
    `- Verdict **${v.outcome}** at ${iso(new Date(v.at))} (score ${Math.round(v.score)}): ${md(v.reason)}`,
    ...v.metrics.filter((x) => x.classification !== 'pass').map((m) => `  - ${md(figureLine(m))}`),
  ];
}

/**
 * The triggering deployment's verdicts first, then those of deployments that joined the incident later (a fix, the
 * watch's rollback), each under the deployment's id and version: unlabelled, a later fix's verdict read as the
 * figures of the release that caused the incident.
 */
export function figuresSection(input: PostmortemInput): string[] {
  const deciding = input.verdicts.filter((v) => v.outcome === 'fail' || v.outcome === 'inconclusive');
  const { change } = input;
  const ids = [...new Set([...(change ? [change.deploymentId] : []), ...deciding.map((v) => v.deploymentId)])];
  const lines: string[] = [];
  for (const id of ids) {
    const version = id === change?.deploymentId ? change.toVersion : input.versions?.[id];
    const what = `Deployment \`${id}\`${version ? ` (${md(version)})` : ''}`;
    const own = deciding.filter((v) => v.deploymentId === id);
    if (id === change?.deploymentId) {
      const none = change.trafficShiftedAt ? ' no verdict was recorded.' : ' no verdict: it never served traffic.';
      lines.push(`${what}, which triggered the incident:${own.length ? '' : none}`);
    } else lines.push(`${what}, linked to the incident later:`);
    if (own.length) lines.push('', ...own.flatMap(verdictLines));
    lines.push('');
  }
  const alerts = input.timeline.filter((e) => e.kind === 'alert.firing');
  for (const a of alerts) lines.push(`- Alert at ${iso(a.at)}: ${md(a.text)}`);
  if (lines.at(-1) === '') lines.pop();
  return lines.length ? lines : ['No verdict or alert figures were recorded.'];
}
