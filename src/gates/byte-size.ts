/** Byte sizes and growth limits as people write them ("300KB", "1.5 MB", "10%"), and back. */

const units: Record<string, number> = {
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
};

/**
 * "300KB", "300 kB", "1.5MB", "204800" → bytes. KB and MB are powers of 1024, like formatBytes
 * (src/shared/bytes.ts) and the figures it prints. Undefined when the text is not a size.
 */
export function parseByteSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  if (!m) return undefined;
  const factor = units[(m[2] || 'b').toLowerCase()];
  if (factor === undefined) return undefined;
  return Math.round(Number(m[1]) * factor);
}

/** "10%" → 0.1, "0.1" → 0.1 (a fraction, as in slipway.yaml). Undefined when it is neither. */
export function parseGrowth(text: string): number | undefined {
  const pct = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(text);
  if (pct) return Number(pct[1]) / 100;
  const fraction = /^\s*(\d+(?:\.\d+)?)\s*$/.exec(text);
  return fraction ? Number(fraction[1]) : undefined;
}

/**
 * "812 B", "212.4 KB", "1.2 MB": one decimal always, unlike formatBytes, because a budget
 * message compares sizes near a limit ("200.4 KB (limit 200 KB)", never "200 KB (limit 200 KB)").
 */
export function preciseBytes(bytes: number): string {
  const sign = bytes < 0 ? '-' : '';
  const n = Math.abs(bytes);
  if (n < 1024) return `${sign}${n} B`;
  const [value, unit] = n < 1024 ** 2 ? [n / 1024, 'KB'] : [n / 1024 ** 2, 'MB'];
  return `${sign}${value.toFixed(1).replace(/\.0$/, '')} ${unit}`;
}

/** 0.142 → "14.2 %". */
export function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(1).replace(/\.0$/, '')} %`;
}
