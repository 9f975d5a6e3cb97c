import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Start a worker thread running the module `name` beside `base` (the caller's import.meta.url): the built
 * JavaScript, or in a source checkout (tests, benchmarks) the TypeScript through tsx's API (on Node 20 a worker
 * does not take `--import tsx` from execArgv).
 * Example: startThreadModule(import.meta.url, 'pglite-worker', { workerData })
 */
export function startThreadModule(base: string, name: string, options: WorkerOptions = {}): Worker {
  const js = new URL(`./${name}.js`, base);
  if (existsSync(fileURLToPath(js))) return new Worker(js, options);
  const ts = JSON.stringify(new URL(`./${name}.ts`, base).href);
  const api = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  return new Worker(`import(${api}).then(({ tsImport }) => tsImport(${ts}, ${ts}))`, { ...options, eval: true });
}
