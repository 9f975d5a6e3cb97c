import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checksumOf, loadMigrations } from './schema-files.js';

describe('schema files', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slipway-schema-files-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('finds the shipped schema next to the module', async () => {
    const migrations = await loadMigrations();
    expect(migrations[0]).toMatchObject({ version: 1, name: 'spine', file: '001_spine.sql' });
    expect(migrations[0]!.sql).toContain('create table projects');
  });

  it('orders by version and ignores files that are not .sql', async () => {
    await writeFile(join(dir, '002_b.sql'), 'select 2;');
    await writeFile(join(dir, '001_a.sql'), 'select 1;');
    await writeFile(join(dir, 'README.md'), 'notes');
    expect((await loadMigrations(dir)).map((m) => m.file)).toEqual(['001_a.sql', '002_b.sql']);
  });

  it('refuses gaps, duplicates and badly named files', async () => {
    await writeFile(join(dir, '001_a.sql'), '');
    await writeFile(join(dir, '003_c.sql'), '');
    await expect(loadMigrations(dir)).rejects.toThrow('schema file 003_c.sql has version 3, expected 2');
    await rm(join(dir, '003_c.sql'));
    await writeFile(join(dir, '001_again.sql'), '');
    await expect(loadMigrations(dir)).rejects.toThrow(/has version 1, expected 2/);
    await rm(join(dir, '001_again.sql'));
    await writeFile(join(dir, 'add-tables.sql'), '');
    await expect(loadMigrations(dir)).rejects.toThrow(/add-tables\.sql is not named NNN_name\.sql/);
  });

  it('says the package is incomplete when there are no migrations', async () => {
    await expect(loadMigrations(join(dir, 'missing'))).rejects.toThrow(
      /no schema migrations found in .*missing; the package is incomplete/,
    );
  });

  it('checksums content, not line endings', () => {
    expect(checksumOf('a;\r\nb;\r\n')).toBe(checksumOf('a;\nb;\n'));
    expect(checksumOf('a;')).not.toBe(checksumOf('b;'));
  });
});
