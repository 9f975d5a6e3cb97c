/**
 * Where a `node --cpu-prof` profile spent its time: the functions with the most self time, and the
 * same summed per place (a package of node_modules, node's internals, a folder of src/), as JSON.
 * Profiles cover one thread each (the coordinator's main thread, or one worker).
 *
 *   npx tsx bench/profile-top.ts PROFILE.cpuprofile [--top 30] [--during parseEnvelope,storeEvents]
 *
 * `--during` keeps the samples from the first to the last one taken inside any of the functions named (the
 * ingest of a benchmark rather than the coordinator's start and stop).
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: tsx bench/profile-top.ts PROFILE.cpuprofile [--top N]\n');
  process.exit(2);
}
const topAt = process.argv.indexOf('--top');
const top = topAt > 0 ? Number(process.argv[topAt + 1]) : 30;
const duringAt = process.argv.indexOf('--during');
const during = duringAt > 0 ? new Set(process.argv[duringAt + 1]!.split(',')) : undefined;
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const inside = new Map<number, boolean>();
/** Whether a node's stack holds one of the `--during` functions (memoized along the tree). */
function isInside(id: number): boolean {
  const known = inside.get(id);
  if (known !== undefined) return known;
  const up = parent.get(id);
  const yes = during!.has(byId.get(id)!.callFrame.functionName) || (up !== undefined && isInside(up));
  inside.set(id, yes);
  return yes;
}
let first = 0;
let last = profile.samples.length - 1;
if (during) {
  const hits = profile.samples.flatMap((id, i) => (isInside(id) ? [i] : []));
  if (hits.length === 0) {
    process.stderr.write(`no sample inside ${[...during].join(', ')}\n`);
    process.exit(1);
  }
  first = hits[0]!;
  last = hits.at(-1)!;
}
const selfUs = new Map<number, number>();
let windowUs = 0;
// timeDeltas[i] is the time before sample i; the time of a sample is the delta of the next one.
for (let i = first; i <= last; i++) {
  windowUs += profile.timeDeltas[i + 1] ?? 0;
  const id = profile.samples[i]!;
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? 0));
}

/** Where a function lives: `pkg:name` for node_modules, `node:` internals, the src/ or dist/ folder, or the marker. */
function placeOf(url: string, name: string): string {
  if (!url) return `(${name || 'native'})`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return `pkg:${pkg[1]}`;
  if (url.startsWith('node:')) return url.split('/').slice(0, 2).join('/');
  const own = /\/(src|dist)\/(.+)\/[^/]+$/.exec(url);
  return own ? own[2]! : url;
}

const byFunction = new Map<string, number>();
const byPlace = new Map<string, number>();
let total = 0;
for (const [id, us] of selfUs) {
  const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
  const where = url.replace(/^.*\/(node_modules|src|dist)\//, '$1/');
  const name = `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + us);
  const place = placeOf(url, functionName);
  byPlace.set(place, (byPlace.get(place) ?? 0) + us);
  total += us;
}
const ranked = (m: Map<string, number>) =>
  [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([what, us]) => ({ what, ms: Math.round(us / 100) / 10, share: Math.round((us / total) * 1000) / 10 }));
process.stdout.write(
  `${JSON.stringify(
    {
      profile: file,
      wallMs: Math.round(windowUs / 1000),
      sampledMs: Math.round(total / 1000),
      idleMs: Math.round((byFunction.get('(idle) :0') ?? 0) / 1000),
      places: ranked(byPlace),
      functions: ranked(byFunction),
    },
    null,
    2,
  )}\n`,
);
