import { dim, green, red, yellow } from './output.js';

export interface ReleaseStages {
  service: string;
  version: string;
  createdAt: string;
  stages: { environment: string; state: 'live' | 'deployed' | 'failed' | 'ready' | 'waiting'; waitsFor: string[] }[];
}

const mark = {
  live: green('● live'),
  deployed: dim('○ was live'),
  failed: red('✘ failed'),
  // Not there yet, but nothing it waits for: said as the step it may take, not as a state it is in.
  ready: 'ready to promote',
  waiting: yellow('waiting'),
} as const;

/**
 * "releases" section of `slipway status`: one line per release, where it is and what it waits for. The API leaves
 * out the environments a release skipped, so every stage shown is one it went to or one it may go to next.
 */
export function renderPipeline(releases: ReleaseStages[]): string {
  if (releases.length === 0) return '';
  const out = ['', 'releases'];
  for (const r of releases) {
    out.push(
      `  ${r.service} ${r.version}: ${r.stages.map((s) => `${s.environment} ${mark[s.state]}`).join(dim(' → '))}`,
    );
    for (const s of r.stages) for (const w of s.waitsFor) out.push(`    ${dim(`${s.environment} waits:`)} ${w}`);
  }
  return out.join('\n');
}
