import { BudgetError } from './budget-error.js';
import { type FileSize, gzipLevel, measureBuild } from './bundle-sizes.js';
import { percent, preciseBytes } from './byte-size.js';
import { readViteManifest } from './vite-manifest.js';

/** Limits of a frontend build, in gzip bytes; each is optional. */
export interface BundleBudget {
  /** The manifest's path inside the build (default Vite's `.vite/manifest.json`). */
  manifest?: string;
  /** All files of the manifest together. */
  total?: number;
  /** Each entry with what it loads up front. */
  perEntry?: number;
  /** Growth against the previous build, entry by entry and in total (0.1 = +10 %). */
  maxGrowth?: number;
}

export interface BundleBudgetInput {
  /** The build to check (e.g. Vite's dist/). */
  dir: string;
  /** The stable release's build, for maxGrowth. */
  previousDir?: string;
  budget: BundleBudget;
}

export interface EntryBudget {
  name: string;
  file: string;
  gzipBytes: number;
  previousGzipBytes?: number;
  files: FileSize[];
}

export interface BundleBudgetResult {
  ok: boolean;
  /** gzip bytes of every file in the manifest. */
  total: number;
  previousTotal?: number;
  entries: EntryBudget[];
  /** Each names the entry (or the total), its size, the limit, and the chunks that make it up. */
  problems: string[];
  /** How sizes were measured. */
  compression: string;
}

export const defaultManifest = '.vite/manifest.json';

/** Chunks named in a problem; the rest are counted. */
const chunksNamed = 5;

/**
 * The bundle budget gate: measure a build from its Vite manifest and compare it with absolute
 * limits and with the previous build. A build it cannot measure throws a BudgetError (naming the
 * file and key path); a build over budget is a result with ok false and its problems.
 */
export async function checkBundleBudget(input: BundleBudgetInput): Promise<BundleBudgetResult> {
  const { budget } = input;
  checkBudget(budget);
  const manifest = budget.manifest ?? defaultManifest;
  const current = await measureBuild(input.dir, await readViteManifest(input.dir, manifest));
  const previous =
    input.previousDir === undefined
      ? undefined
      : await measureBuild(input.previousDir, await readViteManifest(input.previousDir, manifest));
  const problems: string[] = [];
  const previousFiles = previous ? stemSizes(previous.files) : undefined;

  const entries: EntryBudget[] = current.entries.map((entry) => {
    const before = previous?.entries.find((e) => e.name === entry.name)?.gzipBytes;
    const what = `entry ${entry.name}`;
    if (budget.perEntry !== undefined && entry.gzipBytes > budget.perEntry)
      problems.push(`${overLimit(what, entry.gzipBytes, budget.perEntry)}: ${listFiles(entry.files)}`);
    if (
      budget.maxGrowth !== undefined &&
      before !== undefined &&
      grewTooMuch(entry.gzipBytes, before, budget.maxGrowth)
    )
      problems.push(
        `${grew(what, entry.gzipBytes, before, budget.maxGrowth)}: ${listGrowth(entry.files, previousFiles!)}`,
      );
    return { ...entry, ...(before !== undefined ? { previousGzipBytes: before } : {}) };
  });
  if (budget.total !== undefined && current.total > budget.total)
    problems.push(`${overLimit('the build', current.total, budget.total)}; largest: ${listFiles(current.files)}`);
  if (budget.maxGrowth !== undefined && previous && grewTooMuch(current.total, previous.total, budget.maxGrowth))
    problems.push(
      `${grew('the build', current.total, previous.total, budget.maxGrowth)}: ` +
        listGrowth(current.files, previousFiles!),
    );
  return {
    ok: problems.length === 0,
    total: current.total,
    ...(previous ? { previousTotal: previous.total } : {}),
    entries,
    problems,
    compression: `gzip level ${gzipLevel} (node:zlib)`,
  };
}

function checkBudget(budget: BundleBudget): void {
  for (const key of ['total', 'perEntry'] as const) {
    const v = budget[key];
    if (v !== undefined && !(Number.isFinite(v) && v > 0))
      throw new BudgetError(`budget.${key}: expected a size in bytes above 0, got ${v}`, { path: `budget.${key}` });
  }
  const g = budget.maxGrowth;
  if (g !== undefined && !(Number.isFinite(g) && g >= 0))
    throw new BudgetError(`budget.maxGrowth: expected a fraction ≥ 0 (0.1 = +10 %), got ${g}`, {
      path: 'budget.maxGrowth',
    });
}

const grewTooMuch = (now: number, before: number, max: number) => before > 0 && (now - before) / before > max;

function overLimit(what: string, size: number, limit: number): string {
  const over = preciseBytes(size - limit);
  return `${what} is ${preciseBytes(size)} gzip, ${over} over its limit of ${preciseBytes(limit)}`;
}

function grew(what: string, now: number, before: number, max: number): string {
  return (
    `${what} grew ${percent((now - before) / before)} (${preciseBytes(before)} → ${preciseBytes(now)} gzip), ` +
    `more than the +${percent(max)} allowed`
  );
}

/** "assets/index-3f9a.js 180.1 KB, assets/vendor-77c1.js 30 KB and 2 more (1.2 KB)". */
function listFiles(files: FileSize[]): string {
  const named = files.slice(0, chunksNamed).map((f) => `${f.file} ${preciseBytes(f.gzipBytes)}`);
  const rest = files.slice(chunksNamed);
  const more =
    rest.length > 0 ? ` and ${rest.length} more (${preciseBytes(rest.reduce((n, f) => n + f.gzipBytes, 0))})` : '';
  return `${named.join(', ')}${more}`;
}

/** The files that grew most, matched to the previous build by name without Vite's content hash. */
function listGrowth(files: FileSize[], previous: Map<string, number>): string {
  const changes = files.map((f) => {
    const before = previous.get(stemOf(f.file));
    return { ...f, delta: before === undefined ? f.gzipBytes : f.gzipBytes - before, isNew: before === undefined };
  });
  const grown = changes.filter((c) => c.delta > 0).sort((a, b) => b.delta - a.delta);
  if (grown.length === 0) return listFiles(files);
  const named = grown
    .slice(0, chunksNamed)
    .map((c) => `${c.file} ${preciseBytes(c.gzipBytes)} (${c.isNew ? 'new' : `+${preciseBytes(c.delta)}`})`);
  return `${named.join(', ')}${grown.length > chunksNamed ? ` and ${grown.length - chunksNamed} more grew` : ''}`;
}

/**
 * "assets/index-B7PI925R.js" → "assets/index.js": Vite's default file names end in an 8-character
 * content hash, which changes with every build; without it a chunk can be found again. A name
 * two files share after stripping is ambiguous and left out.
 */
export function stemOf(file: string): string {
  return file.replace(/-[A-Za-z0-9_-]{8}(\.[^./]+)$/, '$1');
}

function stemSizes(files: FileSize[]): Map<string, number> {
  const out = new Map<string, number>();
  const ambiguous = new Set<string>();
  for (const f of files) {
    const stem = stemOf(f.file);
    if (out.has(stem)) ambiguous.add(stem);
    out.set(stem, f.gzipBytes);
  }
  for (const stem of ambiguous) out.delete(stem);
  return out;
}
