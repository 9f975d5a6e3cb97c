import { fileURLToPath } from 'node:url';
import { bold, cyan, dim } from '../cli/output.js';
import { shellWord } from '../shared/shell-quote.js';

/** What the demo left running, for the lines that say how to try it. */
export interface Running {
  project: string;
  staging: string;
  coordinatorUrl: string;
  token: string;
  configPath: string;
  /** The incident the bad canary's rollback opened, if one was found. */
  incident?: string;
}

/** The CLI as this checkout runs it, from any directory (bin/ is two levels above dist/demo/ and src/demo/). */
const slipwayBin = fileURLToPath(new URL('../../bin/slipway.js', import.meta.url));

/**
 * "Still running — try it:": the URLs to open and commands to paste while the demo serves. The CLI commands are
 * written as `slipway …` after one line that defines `slipway` for this shell (its token and config), so each works
 * as pasted: status, the incident the rollback opened, its postmortem draft, the delivery figures, a rollback.
 */
export function tryItLines(r: Running): string[] {
  const incident = r.incident ?? 'inc_…';
  // Quoted: a checkout or a temporary directory may have a space in its path.
  const run = `node ${shellWord(slipwayBin)} --config ${shellWord(r.configPath)}`;
  const cli = (command: string, note = '') => `    slipway ${command}${note ? dim(`   ${note}`) : ''}`;
  return [
    bold('Still running — try it:'),
    `  curl -s ${r.staging}/quotes/sample`,
    `  curl -s -XPOST ${r.staging}/quotes -d '{"tonnage":42000,"vesselClass":"tanker","routeRisk":3}'`,
    `  status page      ${cyan(`${r.coordinatorUrl}/status/${r.project}`)}${dim('   (public: no token)')}`,
    `  coordinator API  ${cyan(r.coordinatorUrl)} (token: ${r.token})`,
    `  CLI: first, in your shell:`,
    `    export SLIPWAY_TOKEN=${shellWord(r.token)}; slipway() { ${run} "$@"; }`,
    `  then:`,
    cli('status'),
    cli('incidents', r.incident ? '(the one the bad canary opened)' : ''),
    cli(`incident show ${incident}`, '(its timeline)'),
    cli(`incident postmortem ${incident}`, '(a postmortem draft from it)'),
    cli('kpis --since 1d', '(delivery figures of this run)'),
    cli('rollback quote-api --env staging', '(back to 2.0.0, its instances are re-created)'),
  ];
}
