#!/usr/bin/env node
// Where a command's CPU goes, by kind of process, counting every process it causes — also those that exit within a
// second (CLI runs, PostgreSQL backends, Chromium helpers) and those no test process reaps (servers' children):
//
//   sudo node scripts/process-census.mjs [--json] [--processes FILE] -- npm test
//
// --processes FILE: also every process as one JSON line (kind, command line, CPU seconds), to look inside a kind.
//
// The kernel's process accounting (Debian's `acct`: accton, dump-acct; root) records each process's CPU when it ends;
// a poll of /proc every 30 ms names each process by its command line (read again for 3 s, to see it after exec).
// Processes still running when the command ends (PostgreSQL's server, dockerd) are not counted; one that lived less
// than a poll is counted under its command name alone.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const args = process.argv.slice(2);
const json = args.includes('--json');
const processesFile = args.includes('--processes') ? args[args.indexOf('--processes') + 1] : undefined;
const dash = args.indexOf('--');
const command = dash >= 0 ? args.slice(dash + 1) : [];
if (command.length === 0) {
  process.stderr.write('usage: node scripts/process-census.mjs [--json] [--processes FILE] -- COMMAND [ARGS…]\n');
  process.exit(2);
}
for (const tool of ['accton', 'dump-acct']) {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
  } catch {
    process.stderr.write(`process-census: ${tool} is missing — apt-get install acct (and run as root)\n`);
    process.exit(2);
  }
}

/** pid → command line, first seen; re-read for 3 s so a fork that then execs gets its new name. */
const names = new Map();
function poll() {
  const now = Date.now();
  for (const entry of readdirSync('/proc')) {
    const c = entry.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const known = names.get(entry);
    if (known && now - known.seen > 3000) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'latin1').split('\0').join(' ').trim();
      if (cmd !== '') names.set(entry, { cmd: cmd.slice(0, 400), seen: known?.seen ?? now });
    } catch {
      // gone meanwhile
    }
  }
}

/** The kind of process a command line is, for the totals (first match wins). */
const kinds = [
  [/vitest\/dist\/workers|--experimental-import-meta-resolve/, 'vitest worker process (integration files)'],
  [/vitest(\.mjs)? run|\.bin\/vitest/, 'vitest main process (with the unit files’ threads)'],
  [/cli\/main\.(js|ts) coordinator/, 'coordinator'],
  [/cli\/main\.(js|ts) proxy|proxy\/worker-main/, 'proxy'],
  [/cli\/main\.(js|ts) migrate/, 'slipway migrate'],
  [/slipway-host-v\d/, "SSH hosts: Slipway's host script (sh)"],
  [/cli\/main\.(js|ts)|bin\/slipway\.js/, 'slipway CLI (other commands)'],
  [/^postgres: .* postgres postgres /, 'PostgreSQL backends (admin: create/drop databases)'],
  [/^postgres/, 'PostgreSQL backends (test databases)'],
  [/chrom/, 'Chromium'],
  [/ server\.js|harbor-quote|instance-server|static\/main/, 'instances (example apps, fixtures, static)'],
  [/uvicorn|python/, 'Python (FastAPI instances)'],
  [/haproxy/, 'HAProxy'],
  [/dockerd|containerd|runc|docker-init/, 'Docker'],
  [/sshd/, 'sshd'],
  [/typescript\/bin\/tsc|build\.mjs|esbuild/, 'builds (tsc, esbuild)'],
];
const kindOf = (cmd, comm) => {
  if (!cmd) return `unnamed (${comm})`;
  for (const [re, kind] of kinds) if (re.test(cmd)) return kind;
  return /node/.test(cmd) ? 'other node processes' : `other (${comm})`;
};

const dir = mkdtempSync(join(tmpdir(), 'process-census-'));
const pacct = join(dir, 'pacct');
writeFileSync(pacct, '');
const timer = setInterval(poll, 30);
execFileSync('accton', [pacct], { stdio: 'ignore' });
const started = Date.now();
const child = spawn(command[0], command.slice(1), { stdio: ['inherit', json ? 'ignore' : 'inherit', 'inherit'] });
const stop = () => child.kill('SIGTERM');
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
const code = await new Promise((resolve) => child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
const wallS = (Date.now() - started) / 1000;
try {
  execFileSync('accton', ['off'], { stdio: 'ignore' });
} finally {
  clearInterval(timer);
}

const totals = new Map();
const each = [];
let cpuS = 0;
for (const line of execFileSync('dump-acct', [pacct], { encoding: 'latin1', maxBuffer: 1 << 30 }).split('\n')) {
  // comm | version | utime | stime | etime | uid | gid | mem | io | pid | ppid | … (times in ticks of 10 ms)
  const f = line.split('|').map((s) => s.trim());
  if (f.length < 11) continue;
  const cpu = (Number(f[2]) + Number(f[3])) / 100;
  const kind = kindOf(names.get(f[9])?.cmd, f[0]);
  if (processesFile) each.push(JSON.stringify({ kind, cmd: names.get(f[9])?.cmd ?? f[0], cpuS: cpu }));
  const t = totals.get(kind) ?? { cpuS: 0, processes: 0 };
  t.cpuS += cpu;
  t.processes++;
  totals.set(kind, t);
  cpuS += cpu;
}
rmSync(dir, { recursive: true, force: true });
if (processesFile) writeFileSync(processesFile, each.length > 0 ? `${each.join('\n')}\n` : '');
const rows = [...totals]
  .map(([kind, t]) => ({ kind, cpuS: Math.round(t.cpuS * 10) / 10, processes: t.processes }))
  .sort((a, b) => b.cpuS - a.cpuS);
if (json) {
  process.stdout.write(`${JSON.stringify({ command, exitCode: code, wallS, cpuS: Math.round(cpuS), kinds: rows })}\n`);
} else {
  process.stdout.write(`\n${command.join(' ')}: exit ${code}, ${wallS.toFixed(0)} s, ${cpuS.toFixed(0)} s of CPU\n`);
  for (const r of rows.filter((r) => r.cpuS >= 0.5)) {
    const processes = `${String(r.processes).padStart(6)} process${r.processes === 1 ? '  ' : 'es'}`;
    process.stdout.write(`${r.cpuS.toFixed(1).padStart(8)} s ${processes}  ${r.kind}\n`);
  }
}
process.exit(code);
