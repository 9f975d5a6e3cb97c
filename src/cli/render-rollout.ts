import type { z } from 'zod';
import type { rolloutView } from '../api/schemas.js';
import { formatDuration } from '../shared/duration.js';
import { bold, dim, green, printable, red, yellow } from './output.js';
import { stateText } from './state-word.js';

export type RolloutView = z.infer<typeof rolloutView>;
type Component = RolloutView['components'][number];

/** "api, quote, then web": the order components move in. */
export function levelsLine(r: RolloutView): string {
  const levels = new Map<number, string[]>();
  for (const c of r.components)
    if (c.phase !== 'unchanged') levels.set(c.level, [...(levels.get(c.level) ?? []), c.service]);
  const groups = [...levels.entries()].sort(([a], [b]) => a - b).map(([, names]) => names.join(' + '));
  const unchanged = r.components.filter((c) => c.phase === 'unchanged').map((c) => c.service);
  return groups.join(' → ') + (unchanged.length > 0 ? dim(` (already live: ${unchanged.join(', ')})`) : '');
}

const mark: Record<Component['phase'], string> = {
  unchanged: '=',
  pending: '·',
  deploying: '…',
  succeeded: '✔',
  failed: '✘',
  reverting: '↩',
  reverted: '↩',
  revert_failed: '✘',
  superseded: '»',
  cancelled: '-',
};

function paintPhase(c: Component): string {
  const text = `${mark[c.phase]} ${c.service} ${stateText(c.phase)}`;
  if (c.phase === 'succeeded') return green(text);
  if (c.phase === 'failed' || c.phase === 'revert_failed') return red(text);
  if (c.phase === 'reverting' || c.phase === 'reverted' || c.phase === 'deploying') return yellow(text);
  return text;
}

/** One line for a component whose phase changed (while following). */
export function componentLine(c: Component, startedAt: number): string {
  const t = dim(`+${formatDuration(Math.max(0, Date.now() - startedAt)).padStart(6)}`);
  const versions = c.phase === 'deploying' ? ` ${c.from ?? '(none)'} → ${c.to}` : '';
  const id = c.phase === 'deploying' ? c.deployment : c.phase === 'reverting' ? c.rollback : undefined;
  const why = c.reason && (c.phase === 'failed' || c.phase === 'revert_failed') ? `: ${printable(c.reason)}` : '';
  return `${t}  ${paintPhase(c)}${versions}${id ? dim(` (${id})`) : ''}${why}`;
}

/** The closing lines of a finished rollout. */
export function rolloutSummary(r: RolloutView, options: { rollingBack?: boolean } = {}): string {
  const took = r.finishedAt ? ` in ${formatDuration(Date.parse(r.finishedAt) - Date.parse(r.createdAt))}` : '';
  const parts = r.components.map((c) => `${c.service} ${stateText(c.phase)}`).join(', ');
  if (r.state === 'succeeded')
    return `${green('✔')} release ${bold(r.version)} is live in ${r.environment}${took}: ${parts} (${r.id})`;
  const asked = options.rollingBack && r.state === 'rolled_back';
  const lines = [
    `${asked ? yellow('↩') : red('✘')} release ${bold(r.version)} ${stateText(r.state)} in ` +
      `${r.environment}${took}: ${parts} (${r.id})`,
  ];
  if (r.reason) lines.push(`  reason: ${printable(r.reason, '\n')}`);
  const back = r.components.filter((c) => c.phase === 'reverted' || c.phase === 'failed');
  if (back.length > 0 && r.state === 'rolled_back')
    lines.push(
      `  ${back.map((c) => `${c.service} ${c.from ?? '(none)'}`).join(', ')} ` +
        `serve${back.length === 1 ? 's' : ''} again`,
    );
  return lines.join('\n');
}
