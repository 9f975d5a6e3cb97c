/**
 * Header names found from the bytes of a head, in any case, without making a string for each header: the listed
 * names of the same length are compared byte by byte. Most headers of a request have a length no listed name has,
 * and the others differ in their first bytes.
 */
export class HeaderNames {
  /** By length: the indexes (into `names`) of the names that long. */
  private readonly byLength: (number[] | undefined)[] = [];

  /** `names`: lower case letters, digits and '-' only (what the case-folding compare below supports). */
  constructor(readonly names: readonly string[]) {
    names.forEach((name, i) => {
      if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`header name "${name}" cannot be looked up as bytes`);
      const same = this.byLength[name.length] ?? [];
      same.push(i);
      this.byLength[name.length] = same;
    });
  }

  /** The index of the name buf[from, to) is, in any case; -1 when it is not listed. */
  find(buf: Buffer, from: number, to: number): number {
    const candidates = this.byLength[to - from];
    if (candidates === undefined) return -1;
    for (const i of candidates) if (lowerIs(buf, from, this.names[i]!)) return i;
    return -1;
  }
}

/**
 * Does buf[from, from + target.length) equal `target` (lower case letters, digits and '-') in any case? `| 0x20`
 * folds upper case letters and keeps digits and '-'; the only other byte it maps onto them are controls, which a
 * header name (a token) cannot hold.
 */
export function lowerIs(buf: Buffer, from: number, target: string): boolean {
  for (let i = 0; i < target.length; i++) if ((buf[from + i]! | 0x20) !== target.charCodeAt(i)) return false;
  return true;
}
