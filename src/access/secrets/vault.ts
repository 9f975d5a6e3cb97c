import { SlipwayError } from '../../shared/errors.js';
import type { Db } from '../../store/db.js';
import { isUniqueViolation } from '../../store/sql-errors.js';
import {
  countSecretsByMasterKey,
  currentSecret,
  currentSecrets,
  insertSecret,
  nextSecretVersion,
  unsetSecret,
} from '../../store/repos/secrets.js';
import { openSecret, sealSecret } from './envelope.js';
import { loadKeyring } from './key-files.js';
import type { Keyring } from './keyring.js';
import { checkSecretName, checkSecretValue } from './names.js';
import { rotateMasterKey, type RotationOptions, type RotationResult } from './rotation.js';

/** Where a secret lives. */
export interface SecretScope {
  project: string;
  environment: string;
}

/** A secret as listed: never its value. */
export interface SecretSummary {
  name: string;
  version: number;
  updatedAt: Date;
  updatedBy?: string;
}

/**
 * Per-environment secrets, encrypted at rest: the one place that turns values into ciphertext
 * and back. Values leave it only through `reveal` (an admin's explicit request) and
 * `environmentFor` (the runtime starting an instance); nothing here logs or emits them.
 *
 * @example
 * const vault = SecretVault.open(db, config.dataDir);
 * await vault.set({ project: 'harbor', environment: 'production' }, 'STRIPE_KEY', value, 'ci');
 * const env = await vault.environmentFor({ project: 'harbor', environment: 'production' }); // { STRIPE_KEY: '…' }
 */
export class SecretVault {
  private rotating: Promise<RotationResult> | undefined;

  constructor(
    private readonly db: Db,
    /** Also seals users' TOTP secrets (src/access/totp.ts). */
    readonly keyring: Keyring,
    private readonly dataDir: string,
  ) {}

  /** The vault of a coordinator: master key from SLIPWAY_MASTER_KEY or `<dataDir>/master.key` (created 0600 on first
   * start). */
  static open(db: Db, dataDir: string, env: NodeJS.ProcessEnv = process.env): SecretVault {
    return new SecretVault(db, loadKeyring(dataDir, env), dataDir);
  }

  /** Store a new version of a secret; returns its version. */
  async set(scope: SecretScope, name: string, value: string, by?: string): Promise<{ name: string; version: number }> {
    checkSecretName(name);
    checkSecretValue(name, value);
    // The version is part of the AAD, so it is chosen before encrypting; a concurrent set of the
    // same secret takes it first and this one tries the next.
    for (let attempt = 0; ; attempt++) {
      const version = await nextSecretVersion(this.db, { ...scope, name });
      const identity = { ...scope, name, version };
      try {
        await insertSecret(this.db, {
          ...identity,
          ...sealSecret(value, identity, this.keyring.current),
          createdBy: by,
        });
        return { name, version };
      } catch (e) {
        if (!isUniqueViolation(e) || attempt >= 4) throw e;
      }
    }
  }

  /** Every current secret of an environment, by name, without values. */
  async list(scope: SecretScope): Promise<SecretSummary[]> {
    return (await currentSecrets(this.db, scope.project, scope.environment)).map((r) => ({
      name: r.name,
      version: r.version,
      updatedAt: r.createdAt,
      updatedBy: r.createdBy,
    }));
  }

  /** Unset a secret (its versions are kept, never read again); returns the version that was current. */
  async unset(scope: SecretScope, name: string): Promise<{ name: string; version: number }> {
    const current = await this.current(scope, name);
    await unsetSecret(this.db, { ...scope, name });
    return { name, version: current.version };
  }

  /** The plaintext of the current version: only for an admin's explicit, audited reveal. */
  async reveal(scope: SecretScope, name: string): Promise<{ name: string; version: number; value: string }> {
    const row = await this.current(scope, name);
    return { name, version: row.version, value: openSecret(row, row, (id) => this.keyring.find(id)) };
  }

  /** Every current secret of an environment as variables, for an instance being started. */
  async environmentFor(scope: SecretScope): Promise<Record<string, string>> {
    const env: Record<string, string> = {};
    for (const row of await currentSecrets(this.db, scope.project, scope.environment))
      env[row.name] = openSecret(row, row, (id) => this.keyring.find(id));
    return env;
  }

  /** Re-wrap every data key under a new master key (see rotation.ts); one rotation at a time. */
  async rotateKey(options: RotationOptions = {}): Promise<RotationResult> {
    if (this.rotating)
      throw new SlipwayError('conflict', 'a master key rotation is already running; wait for it to finish');
    this.rotating = rotateMasterKey(this.db, this.keyring, this.dataDir, options);
    try {
      return await this.rotating;
    } finally {
      this.rotating = undefined;
    }
  }

  /** Master key ids that stored rows need but this coordinator does not hold (a start-up warning, before any instance
   * needs them). */
  async missingKeys(): Promise<{ masterKeyId: string; rows: number }[]> {
    const counts = await countSecretsByMasterKey(this.db);
    return Object.entries(counts)
      .filter(([id]) => !this.keyring.find(id))
      .map(([masterKeyId, rows]) => ({ masterKeyId, rows }));
  }

  /** The id of the key new secrets are wrapped under. */
  get currentKeyId(): string {
    return this.keyring.current.id;
  }

  private async current(scope: SecretScope, name: string) {
    const row = await currentSecret(this.db, { ...scope, name });
    if (!row)
      throw new SlipwayError(
        'not_found',
        `no secret ${name} in ${scope.project}/${scope.environment} (slipway secrets list --env ` +
          `${scope.environment} shows them)`,
      );
    return row;
  }
}
