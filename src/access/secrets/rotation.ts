import { SlipwayError } from '../../shared/errors.js';
import type { Queryable } from '../../store/db.js';
import { rewrapSecretRow, secretsNotUnder } from '../../store/repos/secrets.js';
import { rewrapSecret } from './envelope.js';
import { rewrapTotp } from '../totp.js';
import { replaceTotpSealed, usersWithTotpNotUnder } from '../../store/repos/users.js';
import { loadOrCreateNextKey, promoteNextKey } from './key-files.js';
import type { Keyring } from './keyring.js';

export interface RotationResult {
  /** The key rows were wrapped under before (now master.key.previous). */
  previousKeyId: string;
  /** The new current key. */
  currentKeyId: string;
  /** Rows re-wrapped by this run (an interrupted run's rows are not counted again). */
  rewrapped: number;
}

export interface RotationOptions {
  /** Called after each row is re-wrapped, with the count so far (tests interrupt a rotation here). */
  onRewrapped?: (count: number) => void;
  batchSize?: number;
}

/**
 * Rotate the master key: write master.key.next (or reuse the one an interrupted rotation wrote),
 * re-wrap every row's data key under it one row at a time, and only then make it master.key
 * (the old key stays as master.key.previous). Values are never re-encrypted. At every moment
 * each row is wrapped under a key the keyring holds, so a crash midway loses nothing and
 * running the rotation again finishes it.
 */
export async function rotateMasterKey(
  db: Queryable,
  keyring: Keyring,
  dataDir: string,
  options: RotationOptions = {},
): Promise<RotationResult> {
  if (keyring.source === 'env') {
    throw new SlipwayError(
      'conflict',
      'the master key comes from SLIPWAY_MASTER_KEY, which Slipway cannot replace; rotate-key works with the key ' +
        'file <dataDir>/master.key (start the coordinator without SLIPWAY_MASTER_KEY to use it)',
    );
  }
  const previousKeyId = keyring.current.id;
  const next = loadOrCreateNextKey(dataDir);
  keyring.add(next);
  const find = (id: string) => keyring.find(id);
  let rewrapped = 0;
  // Rows written meanwhile are wrapped under the old key: loop until none is left.
  for (;;) {
    const batch = await secretsNotUnder(db, next.id, options.batchSize ?? 100);
    if (batch.length === 0) break;
    for (const row of batch) {
      const wrapped = rewrapSecret(row, row, find, next);
      if (await rewrapSecretRow(db, row, row.masterKeyId, wrapped)) rewrapped++;
      options.onRewrapped?.(rewrapped);
    }
  }
  // Users' TOTP secrets are sealed with the same envelope: they move to the new key too, so the
  // old key can be thrown away without locking anyone out.
  for (;;) {
    const users = await usersWithTotpNotUnder(db, next.id);
    if (users.length === 0) break;
    for (const user of users) {
      if (
        await replaceTotpSealed(
          db,
          user.name,
          user.sealed.masterKeyId,
          rewrapTotp(user.name, user.sealed, keyring, next),
        )
      )
        rewrapped++;
    }
  }
  promoteNextKey(dataDir);
  keyring.promote(next);
  return { previousKeyId, currentKeyId: next.id, rewrapped };
}
