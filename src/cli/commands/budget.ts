import type { Command } from 'commander';
import { type BundleBudget, checkBundleBudget, defaultManifest } from '../../gates/bundle-budget.js';
import { parseByteSize, parseGrowth, percent, preciseBytes } from '../../gates/byte-size.js';
import { CliError } from '../errors.js';
import { green, printJson, red, table } from '../output.js';

interface BudgetOptions {
  dir: string;
  previous?: string;
  manifest?: string;
  total?: string;
  entry?: string;
  maxGrowth?: string;
  json?: boolean;
}

/** `slipway budget`: a frontend build's gzip sizes against limits and the previous build, for CI (no coordinator). */
export function registerBudget(program: Command): void {
  program
    .command('budget')
    .description("Check a frontend build's bundle budget (gzip sizes from its Vite manifest); exit 1 when over")
    .requiredOption('--dir <dir>', "the build to check (Vite's dist/)")
    .option('--previous <dir>', 'the previous (stable) build, for --max-growth')
    .option('--manifest <path>', `the manifest inside the build (default ${defaultManifest})`)
    .option('--total <size>', 'limit for all files together, e.g. 300KB')
    .option('--entry <size>', 'limit for each entry with its static imports and css, e.g. 200KB')
    .option('--max-growth <percent>', 'largest growth against --previous, per entry and in total, e.g. 10%')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      '\nSizes are gzip level 9 (node:zlib); KB and MB are powers of 1024. Exit codes: 0 within budget, 1 over ' +
        'budget (each problem names the entry and its chunks), 2 bad input (a flag, a missing or malformed ' +
        'manifest, a file it names that is missing).\n\nExample:\n  slipway budget --dir dist --previous ' +
        'dist-stable --entry 200KB --total 300KB --max-growth 10%\n',
    )
    .action(async (opts: BudgetOptions) => {
      const budget = budgetOf(opts);
      const result = await checkBundleBudget({
        dir: opts.dir,
        ...(opts.previous !== undefined ? { previousDir: opts.previous } : {}),
        budget,
      });
      if (!result.ok) process.exitCode = 1;
      if (opts.json) return printJson(result);
      const rows = result.entries.map((e) => [
        e.name,
        e.file,
        preciseBytes(e.gzipBytes),
        e.previousGzipBytes === undefined ? '-' : preciseBytes(e.previousGzipBytes),
        change(e.gzipBytes, e.previousGzipBytes),
      ]);
      rows.push([
        '(total)',
        '',
        preciseBytes(result.total),
        result.previousTotal === undefined ? '-' : preciseBytes(result.previousTotal),
        change(result.total, result.previousTotal),
      ]);
      process.stdout.write(`${table(['ENTRY', 'FILE', 'GZIP', 'PREVIOUS', 'CHANGE'], rows)}\n`);
      if (result.ok) process.stdout.write(`${green('within budget')} (${result.compression})\n`);
      else process.stdout.write(`${red('over budget:')}\n${result.problems.map((p) => `  ${p}`).join('\n')}\n`);
    });
}

function budgetOf(opts: BudgetOptions): BundleBudget {
  const size = (flag: string, text: string | undefined) => {
    if (text === undefined) return undefined;
    const bytes = parseByteSize(text);
    if (bytes === undefined || bytes <= 0)
      throw new CliError('invalid_input', `${flag} "${text}": expected a size above 0 like 200KB, 1.5MB or 204800`);
    return bytes;
  };
  const total = size('--total', opts.total);
  const perEntry = size('--entry', opts.entry);
  let maxGrowth: number | undefined;
  if (opts.maxGrowth !== undefined) {
    maxGrowth = parseGrowth(opts.maxGrowth);
    if (maxGrowth === undefined)
      throw new CliError('invalid_input', `--max-growth "${opts.maxGrowth}": expected a percentage like 10% (or 0.1)`);
    if (opts.previous === undefined)
      throw new CliError('invalid_input', '--max-growth needs --previous DIR: the build to compare with');
  }
  if (total === undefined && perEntry === undefined && maxGrowth === undefined)
    throw new CliError('invalid_input', 'give at least one limit: --total, --entry or --max-growth');
  return {
    ...(opts.manifest !== undefined ? { manifest: opts.manifest } : {}),
    ...(total !== undefined ? { total } : {}),
    ...(perEntry !== undefined ? { perEntry } : {}),
    ...(maxGrowth !== undefined ? { maxGrowth } : {}),
  };
}

function change(now: number, before: number | undefined): string {
  if (before === undefined || before === 0) return '-';
  const delta = (now - before) / before;
  return `${delta >= 0 ? '+' : '-'}${percent(Math.abs(delta))}`;
}
