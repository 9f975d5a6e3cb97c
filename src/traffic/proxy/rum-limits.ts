/** Beacon limits of one proxy (per environment). */
export interface RumLimits {
  ratePerSecond: number;
  burst: number;
}

/** 200 page loads/s × ~3 beacons each, with room: the bench's load is served, a flood is not. */
export const defaultRumLimits: RumLimits = { ratePerSecond: 1000, burst: 2000 };
