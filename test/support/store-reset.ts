import type { Db, Queryable } from '../../src/store/db.js';

/**
 * Putting a test database back in its template's state, for the pools that hand one database to test after test
 * (pglite-pool.ts, postgres-pool.ts): creating a database costs far more than emptying the few tables a test wrote.
 * The state is taken once from a database nobody used; a reset first compares the catalog with it (tables, columns,
 * constraints, indexes, functions, triggers, settings), and reports false when anything differs, so the pool
 * discards that database instead.
 */

/** The template's state, taken from the first database of a pool, before any test used it. */
export interface Pristine {
  /** The catalog as text, hashed: tables, columns, constraints, indexes, functions, triggers, roles, settings. */
  fingerprint: string;
  /** Whether roles and databases count: they do in a PGlite of one's own, not on a shared server. */
  clusterWide: boolean;
  /** Settings the session itself set (PGlite sets search_path): DISCARD ALL resets them. */
  session: { name: string; setting: string }[];
  /** Every table (quoted), and the rows of those not empty in the template (the migration history), as JSON. */
  tables: string[];
  rows: Map<string, string>;
  sequences: { name: string; last: string; called: boolean }[];
}

const userSchemas = "not in ('pg_catalog', 'information_schema', 'pg_toast') and n.nspname not like 'pg_%temp%'";

const fingerprintSql = (clusterWide: boolean) => `
select md5(coalesce(string_agg(x, E'\\n' order by x), '')) as fingerprint from (
  select 'class ' || n.nspname || '.' || c.relname || ' ' || c.relkind::text as x
    from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname ${userSchemas}
  union all
  select 'column ' || c.oid::regclass::text || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || ' ' ||
      a.attnotnull || ' ' || coalesce(pg_get_expr(d.adbin, d.adrelid), '')
    from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
    left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
    where n.nspname ${userSchemas} and a.attnum > 0 and not a.attisdropped
  union all
  select 'constraint ' || conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(c.oid)
    from pg_constraint c join pg_namespace n on n.oid = c.connamespace where n.nspname ${userSchemas}
  union all
  select 'index ' || pg_get_indexdef(i.indexrelid)
    from pg_index i join pg_class c on c.oid = i.indrelid join pg_namespace n on n.oid = c.relnamespace
    where n.nspname ${userSchemas}
  union all
  select 'function ' || p.oid::regprocedure::text || ' ' || md5(p.prosrc)
    from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname ${userSchemas}
  union all
  select 'trigger ' || tgrelid::regclass::text || ' ' || tgname || ' ' || tgenabled::text
    from pg_trigger where not tgisinternal
  union all
  select 'type ' || n.nspname || '.' || t.typname
    from pg_type t join pg_namespace n on n.oid = t.typnamespace where n.nspname ${userSchemas}
  union all select 'namespace ' || nspname from pg_namespace where nspname not like 'pg_%temp%'
  ${
    clusterWide
      ? `union all select 'role ' || rolname || ' ' || rolsuper || ' ' || rolcanlogin from pg_roles
  union all select 'database ' || datname from pg_database`
      : ''
  }
  union all select 'extension ' || extname || ' ' || extversion from pg_extension
  union all select 'setting ' || setrole || ' ' || array_to_string(setconfig, ',') from pg_db_role_setting
    where setdatabase in (0, (select oid from pg_database where datname = current_database()))
) catalog`;

export async function capturePristine(db: Queryable, clusterWide: boolean): Promise<Pristine> {
  const { rows: session } = await db.query<{ name: string; setting: string }>(
    "select name, setting from pg_settings where source = 'session'",
  );
  const { rows: tables } = await db.query<{ name: string }>(
    `select format('%I.%I', n.nspname, c.relname) as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where c.relkind in ('r', 'p') and n.nspname ${userSchemas} order by 1`,
  );
  const rows = new Map<string, string>();
  for (const { name } of tables) {
    const { rows: found } = await db.query<{ json: string | null }>(`select json_agg(t)::text as json from ${name} t`);
    if (found[0]?.json) rows.set(name, found[0].json);
  }
  const { rows: sequenceNames } = await db.query<{ name: string }>(
    `select format('%I.%I', n.nspname, c.relname) as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where c.relkind = 'S' and n.nspname ${userSchemas}`,
  );
  const sequences = [];
  for (const { name } of sequenceNames) {
    const { rows: s } = await db.query<{ last: string; called: boolean }>(
      `select last_value::text as last, is_called as called from ${name}`,
    );
    sequences.push({ name, ...s[0]! });
  }
  const fingerprinted = await fingerprint(db, clusterWide);
  return { fingerprint: fingerprinted, clusterWide, session, tables: tables.map((t) => t.name), rows, sequences };
}

async function fingerprint(db: Queryable, clusterWide: boolean): Promise<string> {
  const { rows } = await db.query<{ fingerprint: string }>(fingerprintSql(clusterWide));
  return rows[0]!.fingerprint;
}

/** What a pool does with its kind of database (a PGlite, a database on the test server). */
export interface PoolOps<T> {
  capture(item: T): Promise<Pristine>;
  reset(item: T, state: Pristine): Promise<boolean>;
  discard(item: T): Promise<void>;
}

/**
 * Databases handed to test after test in one process. `take(open)` gives one in the template's state, from `open`
 * when none is idle; the first one's state is captured before anyone uses it. `handBack()` resets it for the next
 * test, or discards it when the reset fails, differs or takes more than 15 s. Handing back twice is handing back once.
 */
export class ResetPool<T> {
  private readonly idle: T[] = [];
  private pristine: Promise<Pristine> | undefined;

  constructor(private readonly ops: PoolOps<T>) {}

  async take(open: () => Promise<T>): Promise<{ item: T; handBack(): Promise<void> }> {
    const item = this.idle.pop() ?? (await open());
    if (!this.pristine) {
      this.pristine = this.ops.capture(item);
      this.pristine.catch(() => {
        this.pristine = undefined;
      });
    }
    const state = await this.pristine.catch(async (e: unknown) => {
      await this.ops.discard(item);
      throw e;
    });
    let handedBack: Promise<void> | undefined;
    const handBack = () =>
      (handedBack ??= (async () => {
        if (await resetWithin(() => this.ops.reset(item, state), 15_000)) this.idle.push(item);
        else await this.ops.discard(item);
      })());
    return { item, handBack };
  }
}

async function resetWithin(reset: () => Promise<boolean>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([reset().catch(() => false), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Back to the template's state, or false when that cannot be shown. */
export async function resetTo(db: Db, state: Pristine, session: boolean): Promise<boolean> {
  if (session) {
    // A transaction a failed test left open ends here (outside one, ROLLBACK only warns).
    await db.exec('rollback');
    // Session state: settings, prepared statements, temporary tables, advisory locks, LISTEN.
    await db.exec('discard all');
    for (const { name, setting } of state.session) await db.query('select set_config($1, $2, false)', [name, setting]);
  }
  if ((await fingerprint(db, state.clusterWide)) !== state.fingerprint) return false;
  const probe = state.tables.map((t) => `select ${literal(t)} as name where exists (select from ${t})`);
  const { rows: used } = await db.query<{ name: string }>(probe.join(' union all '));
  // One transaction, so one connection on PostgreSQL too. Replica role: triggers do not fire, so the audit log's
  // append-only trigger lets TRUNCATE through.
  await db.transaction(async (tx) => {
    await tx.exec('set local session_replication_role = replica');
    const emptyInTemplate = used.map((u) => u.name).filter((t) => !state.rows.has(t));
    if (emptyInTemplate.length > 0) await tx.exec(`truncate ${emptyInTemplate.join(', ')} restart identity cascade`);
    for (const [table, json] of state.rows) {
      const { rows } = await tx.query<{ json: string | null }>(`select json_agg(t)::text as json from ${table} t`);
      if (rows[0]?.json === json) continue;
      await tx.exec(`delete from ${table}`);
      await tx.query(`insert into ${table} select * from json_populate_recordset(null::${table}, $1::json)`, [json]);
    }
    for (const q of state.sequences) await tx.query('select setval($1, $2, $3)', [q.name, q.last, q.called]);
  });
  return true;
}

const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;
