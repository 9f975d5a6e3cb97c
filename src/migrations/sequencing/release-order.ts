/**
 * Release order for "is this live release older than the one that stopped needing the old
 * schema?". Versions compare part by part (1.10.0 > 1.9.0, 2.0.0-rc.1 < 2.0.0), as semver does
 * for the common cases, without requiring strict semver of every team.
 */
export function compareVersions(a: string, b: string): number {
  const [coreA, preA] = splitPre(a);
  const [coreB, preB] = splitPre(b);
  const byCore = compareParts(coreA, coreB);
  if (byCore !== 0) return byCore;
  if (preA === preB) return 0;
  if (preA === null) return 1; // 2.0.0 is newer than 2.0.0-rc.1
  if (preB === null) return -1;
  return compareParts(preA, preB);
}

function splitPre(version: string): [string, string | null] {
  const v = version.replace(/^v/i, '');
  const dash = v.indexOf('-');
  return dash === -1 ? [v, null] : [v.slice(0, dash), v.slice(dash + 1)];
}

function compareParts(a: string, b: string): number {
  const pa = a.split('.');
  const pb = b.split('.');
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? '0';
    const y = pb[i] ?? '0';
    const nx = /^\d+$/.test(x) ? Number(x) : NaN;
    const ny = /^\d+$/.test(y) ? Number(y) : NaN;
    const order = !Number.isNaN(nx) && !Number.isNaN(ny) ? nx - ny : x < y ? -1 : x > y ? 1 : 0;
    if (order !== 0) return Math.sign(order);
  }
  return 0;
}
