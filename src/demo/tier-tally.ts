/** What clients saw per tier: requests, failures (with what failed) and which releases answered. */
export type Tier = 'page' | 'asset' | 'api';
export const tiers: Tier[] = ['page', 'asset', 'api'];

export interface TierCount {
  requests: number;
  failed: number;
  byRelease: Record<string, number>;
}

export class TierTally {
  readonly tiers: Record<Tier, TierCount> = {
    page: { requests: 0, failed: 0, byRelease: {} },
    asset: { requests: 0, failed: 0, byRelease: {} },
    api: { requests: 0, failed: 0, byRelease: {} },
  };
  /** The first failures, "tier what", for the report. */
  readonly failures: string[] = [];

  add(tier: Tier, ok: boolean, release: string | undefined, what: string): void {
    const t = this.tiers[tier];
    t.requests++;
    if (!ok) {
      t.failed++;
      if (this.failures.length < 20) this.failures.push(`${tier} ${what}`);
    }
    if (release) t.byRelease[release] = (t.byRelease[release] ?? 0) + 1;
  }

  get failed(): number {
    return tiers.reduce((n, t) => n + this.tiers[t].failed, 0);
  }

  /** One line per tier: "page loads  120, failed 0, releases 1.0.0: 60, 2.0.0: 60". */
  lines(): string[] {
    const names: Record<Tier, string> = { page: 'page loads', asset: 'asset loads', api: 'API calls' };
    return tiers.map((tier) => {
      const t = this.tiers[tier];
      const releases = Object.entries(t.byRelease)
        .sort(([a], [b]) => a.localeCompare(b, undefined, { numeric: true }))
        .map(([r, n]) => `${r}: ${n}`)
        .join(', ');
      const counts = `${names[tier].padEnd(12)} ${String(t.requests).padStart(6)}, failed ${t.failed}`;
      return `${counts}; answered by ${releases || '—'}`;
    });
  }
}
