/**
 * npm run bench:static -- --json [--seconds N] [--rounds N] [--connections N]
 *
 * Static serving throughput, side by side in one run, on the harbor-platform page's real Vite
 * build (2.0.0): its index.html and its main JS chunk (identity encoding, as wrk asks), served
 *  - by Slipway's static server directly,
 *  - by that server through Slipway's proxy (what users of a `static:` service get),
 *  - by nginx (Debian, sendfile from disk) — the well-known server,
 *  - by HAProxy answering from memory (`http-request return … file`) — an upper bound.
 * nginx and HAProxy are measured when installed, and the JSON says when one was not.
 * Medians of --rounds alternating rounds (default 3).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cliCommand } from '../src/app/proxy-command.js';
import { staticServerCommand } from '../src/config/static-command.js';
import { findFreePort } from '../src/runtimes/local/port.js';
import { onExit } from '../src/shared/exit-cleanup.js';
import { ProxyRouter } from '../src/traffic/proxy/proxy-router.js';
import { launch, machine, printResult, progress, refuse, stop, waitForHttp } from './support.js';
import { hasWrk, wrkRps } from './wrk.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const seconds = arg('seconds', 5);
const rounds = arg('rounds', 3);
const connections = arg('connections', 32);
if (!hasWrk()) await refuse('bench:static: wrk is not installed (apt-get install wrk)');

const dir = mkdtempSync(path.join(tmpdir(), 'slipway-bench-static-'));
// nginx's worker runs as nobody: it must be able to read the build.
chmodSync(dir, 0o755);
onExit(() => rmSync(dir, { recursive: true, force: true }));
const build = path.join(dir, 'out', '2.0.0', 'dist');
progress('building the harbor-platform page (2.0.0) with Vite…');
const built = spawnSync(
  process.execPath,
  ['examples/harbor-platform/build.mjs', '2.0.0', '--out', path.join(dir, 'out')],
  {
    encoding: 'utf8',
  },
);
if (built.status !== 0) await refuse(`bench:static: the Vite build failed: ${built.stderr || built.stdout}`);
const assets = readdirSync(path.join(build, 'assets'))
  .filter((f) => f.endsWith('.js'))
  .map((f) => ({ file: `assets/${f}`, bytes: statSync(path.join(build, 'assets', f)).size }))
  .sort((a, b) => b.bytes - a.bytes);
const files = [
  { name: 'index.html', file: 'index.html', bytes: statSync(path.join(build, 'index.html')).size },
  { name: 'main chunk', ...assets[0]! },
];

const [staticPort, listenPort, adminPort, nginxPort, haproxyPort] = await Promise.all(
  [0, 1, 2, 3, 4].map(() => findFreePort()),
);
const [command, entry] = staticServerCommand();
const server = launch([
  command,
  [...entry, '--dir', build, '--release', '2.0.0', '--port', String(staticPort), '--store', path.join(dir, 'store')],
]);
const token = `bench-${Date.now()}`;
const proxy = launch(cliCommand(['proxy', '--admin', `127.0.0.1:${adminPort}`, '--state-dir', path.join(dir, 'px')]), {
  SLIPWAY_PROXY_TOKEN: token,
});
const children = [server, proxy];
onExit(async () => {
  for (const child of children) await stop(child);
});

const servers: Record<string, string> = {
  'static server, direct': `http://127.0.0.1:${staticPort}`,
  'static server through the proxy': `http://127.0.0.1:${listenPort}`,
};
const skipped: Record<string, string> = {};

if (existsSync('/usr/sbin/nginx')) {
  writeFileSync(
    path.join(dir, 'nginx.conf'),
    `daemon off; worker_processes 1; pid ${dir}/nginx.pid; error_log ${dir}/nginx.err;
events { worker_connections 1024; }
http { access_log off; sendfile on; tcp_nopush on; types { text/html html; application/javascript js; }
  client_body_temp_path ${dir}/nginx-tmp; proxy_temp_path ${dir}/nginx-tmp; fastcgi_temp_path ${dir}/nginx-tmp;
  uwsgi_temp_path ${dir}/nginx-tmp; scgi_temp_path ${dir}/nginx-tmp;
  server { listen 127.0.0.1:${nginxPort}; root ${build}; etag on; } }\n`,
  );
  children.push(launch(['/usr/sbin/nginx', ['-c', path.join(dir, 'nginx.conf'), '-p', dir]]));
  servers['nginx 1 worker (sendfile)'] = `http://127.0.0.1:${nginxPort}`;
} else skipped.nginx = 'not installed (apt-get install nginx-light)';

if (existsSync('/usr/sbin/haproxy')) {
  const returns = files
    .map(
      (f) =>
        `  http-request return status 200 content-type ` +
        `${f.file.endsWith('.js') ? 'application/javascript' : 'text/html'} ` +
        `file ${path.join(build, f.file)} if { path /${f.file} }`,
    )
    .join('\n');
  writeFileSync(
    path.join(dir, 'haproxy.cfg'),
    `global\n  nbthread 1\n  tune.bufsize 1048576\ndefaults\n  mode http\n  timeout client 10s\n` +
      `  timeout server 10s\n  timeout connect 1s\nfrontend web\n  bind 127.0.0.1:${haproxyPort}\n${returns}\n`,
  );
  children.push(launch(['/usr/sbin/haproxy', ['-f', path.join(dir, 'haproxy.cfg'), '-db']]));
  servers['HAProxy 1 thread, from memory'] = `http://127.0.0.1:${haproxyPort}`;
} else skipped.haproxy = 'not installed (apt-get install haproxy)';

await waitForHttp(`http://127.0.0.1:${staticPort}/.slipway/health`);
await waitForHttp(`http://127.0.0.1:${adminPort}/healthz`);
await new ProxyRouter({ admin: `127.0.0.1:${adminPort}`, token }).apply({
  environment: 'bench',
  listen: `127.0.0.1:${listenPort}`,
  routes: [
    {
      service: 'web',
      match: { pathPrefix: '/' },
      releases: [
        {
          release: '2.0.0',
          role: 'stable',
          weight: 100,
          upstreams: [{ id: 'ins_static', address: `127.0.0.1:${staticPort}` }],
        },
      ],
    },
  ],
});
for (const [name, base] of Object.entries(servers)) {
  progress(`waiting for ${name} (${base})`);
  for (const f of files) await waitForHttp(`${base}/${f.file}`, 20_000);
}

const results: Record<string, Record<string, number[]>> = {};
for (let round = 0; round < rounds; round++) {
  for (const [name, base] of Object.entries(servers)) {
    for (const f of files) {
      progress(`round ${round + 1}/${rounds}: ${name}, ${f.name} (wrk, ${connections} connections, ${seconds}s)`);
      const byFile = results[name] ?? {};
      results[name] = byFile;
      byFile[f.name] = [...(byFile[f.name] ?? []), Math.round(wrkRps(`${base}/${f.file}`, connections, seconds))];
    }
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
await printResult({
  benchmark: 'static-serving',
  machine: machine(),
  files: files.map((f) => ({ name: f.name, file: f.file, bytes: f.bytes })),
  connections,
  seconds,
  requestsPerSecond: Object.fromEntries(
    Object.entries(results).map(([name, byFile]) => [
      name,
      Object.fromEntries(Object.entries(byFile).map(([file, runs]) => [file, { median: median(runs), runs }])),
    ]),
  ),
  skipped,
});
