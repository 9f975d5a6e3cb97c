/**
 * npm run bench:wasm-tier -- --json [--pairs 2] [--rounds 6000]
 *
 * Why Slipway runs WebAssembly with V8's baseline compiler alone (src/shared/wasm-baseline.ts): the same PGlite work
 * (wasm-tier-run.ts) in fresh processes with the optimizing tier and without, alternated. Reports the CPU to start
 * PGlite, the CPU per round in each sixth of the run, and the process's CPU in all.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { machine, printResult, progress } from './support.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const pairs = arg('--pairs', 2);
const rounds = arg('--rounds', 6000);
const script = fileURLToPath(new URL('./wasm-tier-run.ts', import.meta.url));

type Run = { readyCpuMs: number; msPerRound: number[]; processCpuMs: number };
const runOnce = (flag: string): Run =>
  JSON.parse(
    execFileSync(process.execPath, [flag, '--import', 'tsx', script, String(rounds)], { encoding: 'utf8' }),
  ) as Run;

const results: Record<'optimizing' | 'baseline', Run[]> = { optimizing: [], baseline: [] };
for (let i = 1; i <= pairs; i++) {
  progress(`pair ${i} of ${pairs}: optimizing tier, then baseline only`);
  results.optimizing.push(runOnce('--no-liftoff-only'));
  results.baseline.push(runOnce('--liftoff-only'));
}
await printResult({ benchmark: 'wasm-tier', machine: machine(), rounds, pairs, ...results });
