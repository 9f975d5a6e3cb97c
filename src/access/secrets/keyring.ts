import type { MasterKey } from './master-key.js';

/**
 * The master keys a coordinator holds: the current one (new secrets are wrapped under it) and
 * any others it can still read with (the key being rotated to, the one rotated away from).
 * Rows record their key's id, so reading never guesses.
 */
export class Keyring {
  private readonly keys = new Map<string, MasterKey>();
  private currentKey: MasterKey;

  constructor(
    current: MasterKey,
    others: MasterKey[] = [],
    /** Where the current key comes from: `env` (SLIPWAY_MASTER_KEY) cannot be rotated by Slipway. */
    readonly source: 'env' | 'file' = 'file',
  ) {
    this.currentKey = current;
    for (const key of [current, ...others]) this.keys.set(key.id, key);
  }

  /** The key new secrets are wrapped under. */
  get current(): MasterKey {
    return this.currentKey;
  }

  /** The key with this id, if loaded. */
  find(id: string): MasterKey | undefined {
    return this.keys.get(id);
  }

  /** Make a key readable (the next key during a rotation). */
  add(key: MasterKey): void {
    this.keys.set(key.id, key);
  }

  /** Wrap new secrets under `key` from now on; the old current key stays readable. */
  promote(key: MasterKey): void {
    this.add(key);
    this.currentKey = key;
  }

  /** Ids of every loaded key, current first. */
  ids(): string[] {
    return [this.currentKey.id, ...[...this.keys.keys()].filter((id) => id !== this.currentKey.id)];
  }
}
