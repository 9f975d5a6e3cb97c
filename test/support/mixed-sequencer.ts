import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Durations of an earlier full run, committed (scripts/save-test-durations.mjs): a fresh clone — CI's — has no
 * vitest cache, and ordering by file size started a 110 s browser file among the last, which then ran alone.
 */
function committedDurations(root: string): Map<string, number> {
  const file = join(root, 'test/support/file-durations.json');
  if (!existsSync(file)) return new Map();
  return new Map(Object.entries(JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>));
}

/**
 * One queue for both projects: the integration files first, then the unit files, each longest first (this machine's
 * last run, else the committed durations, else the largest), failed ones before all. Vitest's own sequencer runs
 * the projects one after the other too, but integration last: a long browser file then ran alone at the end. Unit
 * files are short, so they make a short tail. The projects used to be mixed in one longest-first order, so that a
 * worker waiting on a coordinator shared the cores with one running unit files; but both projects run without
 * isolation and a worker is reused only for a file of its own project, so every switch ended a fork or a thread with
 * all it had imported (42 forks for 83 files), and the cores were busy anyway (92–96 % in a full run). Measured, one
 * full run each on an idle machine: mixed 940 s, integration first 879 s (forks 42 → 11; CPU 1,599 → 1,503 s; that run
 * also had the health checks' kept connections, a small part of it).
 */
export class MixedSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const cache = this.ctx.cache;
    const committed = committedDurations(this.ctx.config.root);
    const key = (s: TestSpecification) => `${s.project.name}:${relative(this.ctx.config.root, s.moduleId)}`;
    const failed = new Map(files.map((s) => [s, cache.getFileTestResults(key(s))?.failed ?? false]));
    const duration = new Map(
      files.map((s) => [s, cache.getFileTestResults(key(s))?.duration ?? committed.get(key(s))]),
    );
    const sizes = new Map(files.map((s) => [s, cache.getFileStats(key(s))?.size ?? 0]));
    return [...files].sort((a, b) => {
      if (failed.get(a) !== failed.get(b)) return failed.get(a) ? -1 : 1;
      // The integration files first, then the unit files: a worker is reused only for a file of its own project
      // (both run without isolation), so mixing them ended a fork or a thread, with all it had imported, whenever
      // the next file in the queue was of the other project.
      if (a.project.name !== b.project.name) return a.project.name === 'integration' ? -1 : 1;
      const da = duration.get(a);
      const db = duration.get(b);
      if (da === undefined || db === undefined) {
        // A file never timed (new) goes first: it may be long, and a short one costs little early.
        if (da !== db) return da === undefined ? -1 : 1;
        return (sizes.get(b) ?? 0) - (sizes.get(a) ?? 0);
      }
      return db - da;
    });
  }
}
