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
 * One queue for both projects, longest files first (this machine's last run, else the committed durations, else
 * the largest), failed ones before all. Vitest's own sequencer runs the projects one after the other: the
 * integration files, which mostly wait on the processes they start, then ran two at a time with nothing to fill the
 * waits, and the suite took longer than it did as one project. Mixed, a worker waiting on a coordinator shares the
 * cores with one running unit files. Longest first keeps one long file from running alone at the end.
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
