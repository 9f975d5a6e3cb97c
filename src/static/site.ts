/**
 * What one static server serves: its own release, then — for assets only — the earlier releases
 * of the same environment (skew protection: a page loaded before a switch asks for chunks the new
 * build no longer has). Earlier releases are looked up on a miss, from the store's index, so a
 * release started after this server still counts.
 */
import { type ContentEntry, type ContentManifest, readPublished } from './content-store.js';
import { earlierReleases, readIndex } from './release-index.js';

/** A published release: its version, store directory and manifest. */
export interface SiteRelease {
  version: string;
  dir: string;
  manifest: ContentManifest;
}

/** A file found for a request, and the release whose build holds it. */
export interface Found {
  release: SiteRelease;
  file: string;
  entry: ContentEntry;
}

export interface SiteOptions {
  store: string;
  environment: string;
  /** How many earlier releases stay served (0: none). */
  keep: number;
  /** Time source, for the index re-read throttle (tests pass their own). */
  now?: () => number;
}

/** How often a miss may re-read the index: a flood of 404s must not become a flood of file reads. */
const indexRefreshMs = 1000;

export class Site {
  private earlier: SiteRelease[] = [];
  private readAt = Number.NEGATIVE_INFINITY;
  private reading: Promise<void> | undefined;
  private readonly manifests = new Map<string, SiteRelease>();

  constructor(
    readonly current: SiteRelease,
    private readonly options: SiteOptions,
  ) {}

  /** The file in this release's build. */
  own(file: string): Found | undefined {
    const entry = this.current.manifest.files[file];
    return entry && { release: this.current, file, entry };
  }

  /** The file in the newest earlier release that has it (never used for index.html: a page is always current). */
  async earlierOwner(file: string): Promise<Found | undefined> {
    if (this.options.keep === 0) return undefined;
    await this.refresh();
    for (const release of this.earlier) {
      const entry = release.manifest.files[file];
      if (entry) return { release, file, entry };
    }
    return undefined;
  }

  private refresh(): Promise<void> {
    const now = (this.options.now ?? Date.now)();
    if (this.reading) return this.reading;
    if (now - this.readAt < indexRefreshMs) return Promise.resolve();
    this.readAt = now;
    this.reading = this.load().finally(() => {
      this.reading = undefined;
    });
    return this.reading;
  }

  private async load(): Promise<void> {
    const { store, environment, keep } = this.options;
    const index = await readIndex(store);
    const out: SiteRelease[] = [];
    for (const { version, tree } of earlierReleases(index, environment, this.current.version, keep)) {
      if (tree === this.current.manifest.tree) continue;
      let release = this.manifests.get(tree);
      if (!release) {
        const published = await readPublished(store, tree);
        if (!published) continue; // removed from the store by hand: nothing to serve from it
        release = { version, dir: published.dir, manifest: published.manifest };
        this.manifests.set(tree, release);
      }
      out.push(release);
    }
    this.earlier = out;
  }
}
