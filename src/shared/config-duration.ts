/**
 * A duration from slipway.yaml written back the way the config writes it — `30d`, `64h`, `30s` — where the runbook
 * and rule summaries describe configuration; formatDuration (duration.ts) is for measured times (4m05s, 12.3s).
 */
const units: [string, number][] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
  ['ms', 1],
];

/** A configured duration in the largest unit that holds it whole: 30d, 64h, 90s, 250ms; zero is "0". */
export function configDuration(ms: number): string {
  if (ms === 0) return '0';
  const [unit, size] = units.find(([, size]) => ms % size === 0) ?? ['ms', 1];
  return `${ms / size}${unit}`;
}
