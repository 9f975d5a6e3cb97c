import { statfs } from 'node:fs/promises';

/** How full the filesystem holding a path is, as `df` counts it. */
export interface DiskUse {
  path: string;
  usedBytes: number;
  /** Bytes an unprivileged process may still write. */
  availableBytes: number;
  /** used / (used + available): the root-reserved blocks do not count as free, as in `df`'s Use%. */
  usedRatio: number;
}

/** statfs of one path; rejects (with the system's reason) when the path cannot be read. */
export async function diskUse(path: string): Promise<DiskUse> {
  const s = await statfs(path);
  const usedBytes = (s.blocks - s.bfree) * s.bsize;
  const availableBytes = s.bavail * s.bsize;
  const total = usedBytes + availableBytes;
  return { path, usedBytes, availableBytes, usedRatio: total > 0 ? usedBytes / total : 0 };
}
