import { z } from 'zod';

const units: Record<string, number> = {
  b: 1,
  kb: 1000,
  kib: 1024,
  mb: 1000 ** 2,
  mib: 1024 ** 2,
  gb: 1000 ** 3,
  gib: 1024 ** 3,
};
const memoryText = /^(\d+(?:\.\d+)?)\s*(B|KB|KiB|MB|MiB|GB|GiB)$/i;
const memoryMessage = 'expected a memory size like 256MiB, 1.5GiB or 512MB (at least 6MiB), or a number of bytes';

/** "256MiB" → 268435456; undefined when it is not a size. */
export function parseMemory(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : undefined;
  const match = memoryText.exec(value.trim());
  if (!match) return undefined;
  return Math.round(Number(match[1]) * units[match[2]!.toLowerCase()]!);
}

/** A memory limit: the Docker Engine refuses less than 6 MiB. */
export const memoryField = z.union([z.int(memoryMessage), z.string()], { error: memoryMessage }).refine((value) => {
  const bytes = parseMemory(value);
  return bytes !== undefined && bytes >= 6 * 1024 ** 2;
}, memoryMessage);
