import { execFile } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { entryCommand } from './support/entry.js';

const run = promisify(execFile);

/** A module hook that prints every file a process loads, for the import graph of one entry point. */
const printLoads =
  'data:text/javascript,' +
  encodeURIComponent(
    "import { register } from 'node:module';" +
      "register('data:text/javascript,export async function resolve(s, c, next) { const r = await next(s, c); " +
      'if (r.url.startsWith("file:")) process.stderr.write("LOADED " + r.url + "\\\\n"); return r; }\');',
  );

/** The files `node [flags] entry args…` loads, with the built entry under SLIPWAY_ENTRY=dist, else the source. */
async function filesLoaded(entry: string, args: string[]): Promise<string[]> {
  const [node, command] = entryCommand(entry, args);
  const { stderr } = await run(node, ['--import', printLoads, ...command]);
  return stderr
    .split('\n')
    .filter((l) => l.startsWith('LOADED '))
    .map((l) => l.slice(7));
}

describe('slipway --help', () => {
  it('lists every command without loading what they run: the coordinator, the proxy, the migration tools', async () => {
    const loaded = await filesLoaded('src/cli/main.ts', ['--help']);
    expect(loaded.some((url) => /\/cli\/commands\/migrate\.(js|ts)$/.test(url))).toBe(true);
    const heavy =
      /\/app\/coordinator\.|\/traffic\/proxy\/main\.|\/migrations\/(linter|runner|planner)\/|node_modules\/fastify\//;
    expect(loaded.filter((url) => heavy.test(url))).toEqual([]);
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
