import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { loadConfigWithWarnings } from '../../config/load.js';
import { renderRunbook, runbookDifference } from '../../incidents/runbook/render.js';
import type { GlobalOptions } from '../context.js';
import { CliError } from '../errors.js';
import { green, printJson, red } from '../output.js';
import { writeOutputFile } from '../output-file.js';

/** `slipway runbook`: write the incident response plan from slipway.yaml; `--check` compares a committed one. */
export function registerRunbook(program: Command): void {
  program
    .command('runbook')
    .description(
      "Write the project's incident response plan (per environment and service: state, rollback commands, approvers, " +
        'rules that roll back) from slipway.yaml; --check fails when the committed one no longer matches',
    )
    .option('-o, --output <file>', 'the runbook file (default: RUNBOOK.md beside slipway.yaml); - prints it')
    .option(
      '--check',
      'write nothing; exit 1 when the file differs from what the config gives, 3 when it does not exist (for CI)',
    )
    .option('--json', 'print JSON: {markdown, file}; with --check {matches, file, firstDifference}')
    .addHelpText('after', '\nExamples:\n  slipway runbook\n  slipway runbook --check   # in CI\n')
    .action(async (opts: { output?: string; check?: boolean; json?: boolean }, cmd: Command) => {
      const { config } = await loadConfigWithWarnings(cmd.optsWithGlobals<GlobalOptions>().config);
      const expected = renderRunbook(config);
      if (opts.output === '-' && !opts.check)
        return void (opts.json ? printJson({ markdown: expected }) : process.stdout.write(expected));
      const file = path.resolve(
        opts.output ?? path.join(path.dirname(config.configPath ?? 'slipway.yaml'), 'RUNBOOK.md'),
      );
      if (!opts.check) {
        writeOutputFile(file, expected);
        return void (opts.json ? printJson({ markdown: expected, file }) : process.stdout.write(`wrote ${file}\n`));
      }
      if (!existsSync(file))
        throw new CliError('not_found', `${file} does not exist; write it with \`slipway runbook\` and commit it`);
      if (statSync(file).isDirectory())
        throw new CliError('invalid_input', `--output ${file}: it is a directory; name the runbook file`);
      const diff = runbookDifference(readFileSync(file, 'utf8'), expected);
      const message =
        diff &&
        `${file} no longer matches slipway.yaml (line ${diff.line}):\n  committed: ${diff.committed}\n  ` +
          `config:    ${diff.expected}\nrun \`slipway runbook\` and commit the result`;
      if (opts.json) {
        const firstDifference = diff ? { line: diff.line, committed: diff.committed, config: diff.expected } : null;
        printJson({ matches: !diff, file, firstDifference });
        if (!message) return;
        // The answer is on stdout already, the text goes to stderr as ever, and the exit code still fails CI (silent:
        // no second JSON document).
        process.stderr.write(`${red('slipway:')} ${message}\n`);
        throw new CliError('failed', message, { silent: true });
      }
      if (message) throw new CliError('failed', message);
      process.stdout.write(`${green('✔')} ${file} matches slipway.yaml\n`);
    });
}
