/**
 * PGlite ships many extensions as separate bundles that must be handed to the constructor.
 * The shadow database loads exactly those its migrations create, so `CREATE EXTENSION citext`
 * works there as it does on the server; unknown ones fail at their statement with a hint.
 */
import type { Extension } from '@electric-sql/pglite';
import type { ParsedStatement } from '../types.js';

// Extension name (as in CREATE EXTENSION) → module under @electric-sql/pglite and its export.
const bundled: Record<string, { module: string; name: string }> = {
  vector: { module: 'vector', name: 'vector' },
  pg_ivm: { module: 'pg_ivm', name: 'pg_ivm' },
  pgtap: { module: 'pgtap', name: 'pgtap' },
  pg_uuidv7: { module: 'pg_uuidv7', name: 'pg_uuidv7' },
  pg_hashids: { module: 'pg_hashids', name: 'pg_hashids' },
  'uuid-ossp': { module: 'contrib/uuid_ossp', name: 'uuid_ossp' },
};
const contrib = [
  'amcheck',
  'auto_explain',
  'bloom',
  'btree_gin',
  'btree_gist',
  'citext',
  'cube',
  'dict_int',
  'dict_xsyn',
  'earthdistance',
  'file_fdw',
  'fuzzystrmatch',
  'hstore',
  'intarray',
  'isn',
  'lo',
  'ltree',
  'pageinspect',
  'pg_buffercache',
  'pg_surgery',
  'pg_trgm',
  'pg_visibility',
  'pg_walinspect',
  'pgcrypto',
  'seg',
  'tablefunc',
  'tcn',
  'tsm_system_rows',
  'tsm_system_time',
  'unaccent',
];
for (const name of contrib) bundled[name] = { module: `contrib/${name}`, name };

/** Extension names the statements create (CREATE EXTENSION). */
export function extensionsCreatedBy(statements: Iterable<ParsedStatement>): Set<string> {
  const names = new Set<string>();
  for (const s of statements)
    if (s.kind === 'CreateExtensionStmt' && typeof s.node.extname === 'string') names.add(s.node.extname);
  return names;
}

/** The PGlite `extensions` option for these names; names PGlite does not bundle are left out. */
export async function pgliteExtensions(names: Iterable<string>): Promise<Record<string, Extension>> {
  const loaded: Record<string, Extension> = {};
  for (const name of names) {
    const entry = bundled[name];
    if (!entry) continue;
    const module = (await import(`@electric-sql/pglite/${entry.module}`)) as Record<string, Extension>;
    const extension = module[entry.name];
    if (extension) loaded[entry.name] = extension;
  }
  return loaded;
}

/** True when PGlite has a bundle for this extension. */
export function pgliteBundles(name: string): boolean {
  return name in bundled || name === 'plpgsql';
}
