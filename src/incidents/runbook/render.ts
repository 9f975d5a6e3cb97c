import { serviceIn } from '../../config/resolve.js';
import type { ProjectConfig } from '../../config/model.js';
import type { RunbookSection } from './section.js';
import { runbookSections } from './sections.js';

/**
 * The project's incident response plan in Markdown, from its configuration alone: the same config
 * writes the same text (no dates), so `slipway runbook --check` can compare a committed copy.
 */
export function renderRunbook(config: ProjectConfig, sections: RunbookSection[] = runbookSections): string {
  const out: string[] = [
    `# Incident response plan: ${config.project}`,
    '',
    '<!-- Written by `slipway runbook` from slipway.yaml. Do not edit by hand: change the config and run it again;',
    '     `slipway runbook --check` (in CI) fails when this file no longer matches the config. -->',
    '',
  ];
  const block = (level: string, title: string, lines: string[]) => {
    if (lines.length) out.push(`${level} ${title}`, '', ...lines, '');
  };
  for (const s of sections) if (s.scope === 'project') block('##', s.title, s.render(config));
  for (const env of config.environments) {
    out.push(`## Environment: ${env.name}`, '');
    for (const s of sections) if (s.scope === 'environment') block('###', s.title, s.render(config, env));
    for (const svc of config.services) {
      const resolved = serviceIn(config, svc.name, env.name);
      const parts: string[] = [];
      for (const s of sections)
        if (s.scope === 'service') {
          const lines = s.render(config, env, resolved);
          if (lines.length) parts.push(`**${s.title}**`, '', ...lines, '');
        }
      if (parts.length) out.push(`### Service: ${svc.name} in ${env.name}`, '', ...parts);
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/** The first line where a committed runbook differs from the config's, or undefined when they match. */
export function runbookDifference(
  committed: string,
  expected: string,
): { line: number; committed: string; expected: string } | undefined {
  // Lines, not what follows the last newline: an extra line at the end is then "(end of file)" in the config's
  // column, not an empty line.
  const lines = (text: string) => text.replace(/\r\n/g, '\n').replace(/\n$/, '').split('\n');
  const a = lines(committed);
  const b = lines(expected);
  for (let i = 0; i < Math.max(a.length, b.length); i++)
    if (a[i] !== b[i]) return { line: i + 1, committed: a[i] ?? '(end of file)', expected: b[i] ?? '(end of file)' };
  return undefined;
}
