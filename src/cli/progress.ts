import { formatDuration } from '../shared/duration.js';
import type { DeploymentView, EventView } from './follow.js';
import { bold, dim, green, printable, red, yellow } from './output.js';
import { stateText } from './state-word.js';

/** One line per deployment event, with the time since the deployment started. */
export function progressPrinter(
  startedAt: number,
  write: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
) {
  return (e: EventView) => {
    const t = dim(`+${formatDuration(Math.max(0, Date.parse(e.at) - startedAt)).padStart(6)}`);
    // Messages carry text people typed (an emergency's or an abort's reason): escaped, as in tables.
    let text = printable(e.message);
    if (e.kind === 'deployment.rolling_back' || e.kind === 'instance.crashed') text = red(text);
    else if (e.kind === 'traffic.shifted') text = bold(text);
    else if (e.kind === 'deployment.health') text = yellow(text);
    write(`${t}  ${text}`);
    const tail = e.data.logTail;
    if (e.kind === 'instance.crashed' && Array.isArray(tail) && tail.length > 0) {
      for (const line of tail.slice(-5)) write(`${' '.repeat(9)}${dim('│')} ${String(line)}`);
    }
  };
}

/** The closing summary of a finished deployment. */
export function summary(d: DeploymentView): string {
  const took = d.startedAt && d.finishedAt ? formatDuration(Date.parse(d.finishedAt) - Date.parse(d.startedAt)) : '';
  if (d.state === 'succeeded') {
    const what = d.kind === 'rollback' ? `rolled back to ${d.to.version}` : `${d.to.version} is live`;
    return (
      `${green('✔')} ${bold(d.service)} ${what} in ${d.environment} (${d.strategy}${took ? `, ${took}` : ''}; ` +
      `${d.id})`
    );
  }
  const lines = [
    `${red('✘')} ${bold(d.service)} ${d.to.version} ${stateText(d.state)} in ` +
      `${d.environment}${took ? ` after ${took}` : ''} (${d.id})`,
  ];
  if (d.reason) lines.push(`  reason: ${printable(d.reason, '\n')}`);
  if (d.state === 'rolled_back' || d.state === 'failed')
    lines.push(`  ${d.from ? `${d.from.version} keeps serving` : 'nothing was serving before; nothing serves now'}`);
  return lines.join('\n');
}
