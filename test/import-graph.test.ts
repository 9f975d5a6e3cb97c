import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { entryCommand, repoRoot } from './support/entry.js';

const run = promisify(execFile);

/** A module hook that prints every file a process loads, for the import graph of one entry point. */
const printLoads =
  'data:text/javascript,' +
  encodeURIComponent(
    "import { register } from 'node:module';" +
      "register('data:text/javascript,export async function resolve(s, c, next) { const r = await next(s, c); " +
      'if (r.url.startsWith("file:")) process.stderr.write("LOADED " + r.url + "\\\\n"); return r; }\');',
  );

/** The files `node [flags] command…` loads. */
async function filesLoaded([node, command]: [string, string[]]): Promise<string[]> {
  const { stderr } = await run(node, ['--import', printLoads, ...command]);
  return stderr
    .split('\n')
    .filter((l) => l.startsWith('LOADED '))
    .map((l) => l.slice(7));
}

describe('slipway --help', () => {
  it('lists every command without loading what they run: the coordinator, the proxy, the migration tools', async () => {
    // The import graph of the source decides what the bundle (scripts/bundle.mjs) splits off to load on demand.
    const source = path.join(repoRoot, 'src/cli/main.ts');
    const loaded = await filesLoaded([process.execPath, ['--import', import.meta.resolve('tsx'), source, '--help']]);
    expect(loaded.some((url) => /\/cli\/commands\/migrate\.ts$/.test(url))).toBe(true);
    const heavy =
      /\/app\/coordinator\.|\/traffic\/proxy\/main\.|\/migrations\/(linter|runner|planner)\/|node_modules\/fastify\//;
    expect(loaded.filter((url) => heavy.test(url))).toEqual([]);
  });

  it('the built bundle loads none of it either: no chunk with fastify, the proxy or the migration linter', async () => {
    // npm test builds dist/ first (scripts/build-if-stale.mjs).
    const built = path.join(repoRoot, 'dist/cli/main.js');
    const loaded = await filesLoaded([process.execPath, [built, '--help']]);
    const ours = loaded.filter((url) => url.includes('/dist/')).map((url) => readFileSync(fileURLToPath(url), 'utf8'));
    // The bundle's entry and the chunks it loads.
    expect(ours.length).toBeGreaterThan(1);
    // Fastify's error codes, the proxy's data plane, the migration linter's parser: each only in what they load.
    const heavy = /FST_ERR_|DataPlane = class|class DataPlane |import\(["']libpg-query["']\)/;
    expect(ours.filter((text) => heavy.test(text)).map((text) => text.slice(0, 300))).toEqual([]);
  });
});

describe('the proxy parent process', () => {
  it('loads neither the forwarding code nor undici: it only hands connections to its workers', async () => {
    // The built module under SLIPWAY_ENTRY=dist, else the source through tsx (its flags come first).
    const [node, args] = entryCommand('src/traffic/proxy/main.ts');
    const file = pathToFileURL(args.at(-1)!).href;
    const flags = [...args.slice(0, -1), '--import', printLoads, '--input-type=module'];
    const { stderr } = await run(node, [...flags, '-e', `await import(${JSON.stringify(file)})`]);
    const loaded = stderr
      .split('\n')
      .filter((l) => l.startsWith('LOADED '))
      .map((l) => l.slice(7));
    expect(loaded.some((url) => /\/traffic\/proxy\/main\.(js|ts)$/.test(url))).toBe(true);
    const forwarding = /node_modules\/undici\/|\/proxy\/(data-plane|exchange|environment-listener)\./;
    expect(loaded.filter((url) => forwarding.test(url))).toEqual([]);
  });
});
