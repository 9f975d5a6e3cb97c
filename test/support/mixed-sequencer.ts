import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * One queue for both projects, longest (or, before a first run, largest) files first, failed ones before all.
 * Vitest's own sequencer runs the projects one after the other: the integration files, which mostly wait on the
 * processes they start, then ran two at a time with nothing to fill the waits, and the suite took longer than it
 * did as one project. Mixed, a worker waiting on a coordinator shares the cores with one running unit files.
 */
export class MixedSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const cache = this.ctx.cache;
    const key = (s: TestSpecification) => `${s.project.name}:${relative(this.ctx.config.root, s.moduleId)}`;
    const results = new Map(files.map((s) => [s, cache.getFileTestResults(key(s))]));
    const sizes = new Map(files.map((s) => [s, cache.getFileStats(key(s))?.size ?? 0]));
    return [...files].sort((a, b) => {
      const ra = results.get(a);
      const rb = results.get(b);
      if (!ra || !rb) return (sizes.get(b) ?? 0) - (sizes.get(a) ?? 0);
      if (ra.failed !== rb.failed) return ra.failed ? -1 : 1;
      return rb.duration - ra.duration;
    });
  }
}
