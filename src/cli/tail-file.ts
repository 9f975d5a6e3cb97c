import { readFile } from 'node:fs/promises';

/** The last `n` lines of a small file (coordinator output), or none when it is missing. */
export async function tailFile(file: string, n: number): Promise<string[]> {
  try {
    const text = await readFile(file, 'utf8');
    return text.trimEnd().split('\n').slice(-n);
  } catch {
    return [];
  }
}
