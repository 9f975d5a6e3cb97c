#!/usr/bin/env node
// After tsc: the entry points that start a process or a thread (the CLI, which is also the coordinator and the
// proxy; the proxy's worker process; the static server; the PGlite, send and ingest threads; the demos) become
// bundles in place, with the pure-JavaScript packages they import. Node otherwise resolves, reads and compiles each
// of hundreds of modules (Slipway's and zod's, yaml's, fastify's, …) file by file at every start. Measured on one
// machine: `slipway status` 0.30 → 0.17 s of CPU, a test coordinator's start 1.2 → 0.8 s, and the test suite, which
// starts hundreds of these processes, 548 → 469 s. Dynamic imports stay lazy: they become chunks (dist/chunks/).
// The other files of dist/ stay as tsc wrote them; a thread started beside a module (thread-module.ts) finds its
// entry where it was, now a bundle.
// Packages with files of their own beside their code (WebAssembly, native addons, worker scripts, hooks) stay
// external, loaded from node_modules as before. A module of dist/ that finds a file relative to itself
// (import.meta.url) still finds it: its import.meta.url is rewritten to the URL its own file has in dist/.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const entries = [
  'cli/main',
  'traffic/proxy/worker-main',
  'static/main',
  'store/pglite-worker',
  'notify/send-thread-main',
  'observe/errors/ingest-worker',
  'demo/main',
  'demo/platform',
];
/** Files of their own beside their code, or hooks into Node's loader: never bundled. */
const external = [
  '@electric-sql/pglite',
  '@electric-sql/pglite/*',
  'libpg-query',
  '@node-rs/argon2',
  'ssh2',
  'cpu-features',
  'dockerode',
  'docker-modem',
  '@sentry/node',
  '@kubernetes/client-node',
  'playwright-core',
  'pino',
  'nodemailer',
];
const marker = '/* slipway bundle */';

for (const entry of entries) {
  const file = `${dist}${entry}.js`;
  if (!existsSync(file)) throw new Error(`bundle: ${file} is missing; run tsc first`);
  if (readFileSync(file, 'utf8').slice(0, 200).includes(marker))
    throw new Error(`bundle: ${file} is already a bundle; run tsc before bundling again`);
}
rmSync(`${dist}chunks`, { recursive: true, force: true });

// Each output file finds dist/ from its own URL (the last /dist/ in it: outputs are never in a folder named dist).
const banner = [
  marker,
  "import { createRequire as __slipwayRequire } from 'node:module';",
  'const require = __slipwayRequire(import.meta.url);',
  "globalThis.__slipwayDist ??= import.meta.url.slice(0, import.meta.url.lastIndexOf('/dist/') + 6);",
].join('\n');

await build({
  entryPoints: Object.fromEntries(entries.map((e) => [e, `${dist}${e}.js`])),
  outdir: dist,
  allowOverwrite: true,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunks/[name]-[hash]',
  external,
  banner: { js: banner },
  // Maps back to src/ through tsc's own maps, as the unbundled files have.
  sourcemap: true,
  // Legal comments of the bundled packages, kept beside the bundle rather than dropped.
  legalComments: 'linked',
  logLevel: 'warning',
  plugins: [
    {
      name: 'dist-meta-url',
      setup(b) {
        b.onLoad({ filter: /\.js$/ }, (args) => {
          if (!args.path.startsWith(dist)) return undefined;
          const own = JSON.stringify(relative(dist, args.path));
          const text = readFileSync(args.path, 'utf8').replaceAll(
            'import.meta.url',
            `new URL(${own}, globalThis.__slipwayDist).href`,
          );
          return { contents: text, loader: 'js' };
        });
      },
    },
  ],
});
