/**
 * PGlite's statements as named prepared statements, sent through its wire-protocol API. `PGlite.query` parses and
 * plans every statement again and crosses into its WebAssembly six times per statement (parse, describe, bind,
 * describe, execute, sync): 0.47 ms of CPU for a primary-key select and 0.51 ms for a one-row insert, measured in
 * process on an idle core. A statement prepared once and then sent as one bind + execute + sync took 0.075 and
 * 0.096 ms — the store's work per deployment step, error event and notification is mostly such statements.
 *
 * Each distinct SQL text is prepared on its first use (parse + describe in one crossing: the parameter types pick
 * PGlite's serializers, as `PGlite.query` does, and the row description its parsers), kept in a bounded LRU and
 * closed when it falls out. Large statements built for one batch (a VALUES of many rows) run unnamed: caching them
 * would only churn. DDL and DISCARD empty the cache (a prepared `select *` whose table changed fails with 0A000
 * instead of being planned again); outside a transaction such a failure is retried once, prepared afresh.
 */
import { type PGlite, parse, protocol, types } from '@electric-sql/pglite';
import type { PgliteLike } from './pglite-thread.js';

/** What a statement answers, as `PGlite.query` does. */
export interface StatementResult<T> {
  rows: T[];
  affectedRows?: number;
}

interface Prepared {
  name: string;
  paramTypes: number[];
  fields: { name: string; dataTypeID: number }[];
}

type Message = { name: string } & Record<string, unknown>;

/** Larger statements (or with more parameters) are not kept: they are one batch's VALUES, seldom seen again. */
const maxCachedSqlLength = 8_000;
const maxCachedParams = 200;
/** Statements after which prepared ones may be gone (DISCARD, DEALLOCATE) or plan a changed table (DDL). */
const forgetting = /^\s*(create|alter|drop|comment|reindex|discard|deallocate)\b/i;
/** A cached plan whose result type changed (0A000); a prepared statement gone (26000). */
const stale = new Set(['0A000', '26000']);
const { serialize } = protocol;
const byteaOid = 17;

export class PreparedStatements {
  private readonly cache = new Map<string, Prepared>();
  /** Statements evicted from the cache, closed in the next message sent (one crossing fewer). */
  private toClose: string[] = [];
  private nextName = 1;
  /** The statement under way (exclusive()). */
  private last: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly pglite: PGlite,
    private readonly capacity = 256,
  ) {}

  /** Statements kept prepared (tests). */
  get size(): number {
    return this.cache.size;
  }

  /**
   * One statement at a time, whoever calls: a statement's parse and its bind are two crossings, and another's parse
   * between them (statements of one transaction sent side by side) would replace the unnamed statement it binds.
   */
  query<T>(sql: string, params: unknown[] = []): Promise<StatementResult<T>> {
    return this.exclusive(() => this.statement<T>(sql, params));
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const done = this.last.then(work);
    this.last = done.catch(() => undefined);
    return done;
  }

  private async statement<T>(sql: string, params: unknown[]): Promise<StatementResult<T>> {
    if (forgetting.test(sql)) this.forget();
    try {
      return await this.run<T>(sql, params);
    } catch (e) {
      // A prepared statement whose result type a schema change altered: prepare it again, when nothing else depends
      // on this statement having failed (in a transaction, the failure has already aborted it).
      if (!stale.has((e as { code?: string }).code ?? '') || !this.cache.has(sql) || this.pglite.isInTransaction())
        throw e;
      this.drop(sql);
      return this.run<T>(sql, params);
    }
  }

  /**
   * A script of statements, PGlite's own way (simple protocol); DDL in it empties the cache. `on`: the open
   * transaction's, when there is one (PGlite's own exec waits for the transaction to end).
   */
  exec(script: string, on: Pick<PGlite, 'exec'> = this.pglite): Promise<void> {
    return this.exclusive(async () => {
      this.forget();
      await on.exec(script);
    });
  }

  /** Forget every prepared statement (after DDL): closed with the next message. */
  forget(): void {
    for (const p of this.cache.values()) this.toClose.push(p.name);
    this.cache.clear();
  }

  private async run<T>(sql: string, params: unknown[]): Promise<StatementResult<T>> {
    const cacheable = sql.length <= maxCachedSqlLength && params.length <= maxCachedParams;
    const prepared = (cacheable && this.hit(sql)) || (await this.prepare(sql, cacheable));
    const values = params.map((v, i) => this.serialized(v, prepared.paramTypes[i]));
    const messages = await this.send([
      serialize.bind({ statement: prepared.name, values }),
      serialize.execute({}),
      serialize.sync(),
    ]);
    return this.result<T>(prepared, messages);
  }

  private hit(sql: string): Prepared | undefined {
    const p = this.cache.get(sql);
    if (!p) return undefined;
    // Most recently used last: eviction takes the first.
    this.cache.delete(sql);
    this.cache.set(sql, p);
    return p;
  }

  private async prepare(sql: string, cacheable: boolean): Promise<Prepared> {
    const name = cacheable ? `slipway_${this.nextName++}` : '';
    const messages = await this.send([
      serialize.parse({ name, text: sql }),
      serialize.describe({ type: 'S', name }),
      serialize.sync(),
    ]);
    const rowDescription = messages.find((m) => m.name === 'rowDescription') as
      | { fields: { name: string; dataTypeID: number }[] }
      | undefined;
    const prepared = {
      name,
      paramTypes: parse.parseDescribeStatementResults(messages as never),
      fields: rowDescription?.fields.map((f) => ({ name: f.name, dataTypeID: f.dataTypeID })) ?? [],
    };
    if (cacheable) {
      this.cache.set(sql, prepared);
      if (this.cache.size > this.capacity) this.drop(this.cache.keys().next().value!);
    }
    return prepared;
  }

  private drop(sql: string): void {
    const p = this.cache.get(sql);
    if (!p) return;
    this.cache.delete(sql);
    this.toClose.push(p.name);
  }

  /** As `PGlite.query` serializes a parameter: by the type PostgreSQL gave it. */
  private serialized(value: unknown, type: number | undefined): string | Uint8Array | null {
    if (value === null || value === undefined) return null;
    // Bytes for a bytea go as they are, in the binary format: PGlite's serializer would spell them out in hex.
    if (type === byteaOid && value instanceof Uint8Array) return value;
    const serializer = type === undefined ? undefined : this.pglite.serializers[type];
    return serializer ? serializer(value) : String(value);
  }

  /** One crossing into PGlite: the statements closed since the last one, then `parts`. */
  private async send(parts: Uint8Array[]): Promise<Message[]> {
    const closing = this.toClose.splice(0).map((name) => serialize.close({ type: 'S', name }));
    const message = Buffer.concat([...closing, ...parts]);
    const messages = (await this.pglite.execProtocolStream(message, { syncToFs: false })) as unknown as Message[];
    if (!this.pglite.isInTransaction()) await this.pglite.syncToFs();
    return messages;
  }

  /**
   * Rows as `PGlite.query` makes them, each value parsed by its type's parser. Not through PGlite's parseResults: it
   * copies every parser (one per type and array type, ~400) into a new object per statement, which was 17 % of the
   * PGlite thread's time in bench:scale.
   */
  private result<T>(prepared: Prepared, messages: Message[]): StatementResult<T> {
    const parsers = this.pglite.parsers;
    const { fields } = prepared;
    const rows: Record<string, unknown>[] = [];
    let affectedRows = 0;
    for (const m of messages) {
      if (m.name === 'dataRow') {
        const values = m.fields as (string | null)[];
        const row: Record<string, unknown> = {};
        for (let i = 0; i < fields.length; i++)
          row[fields[i]!.name] = types.parseType(values[i] ?? null, fields[i]!.dataTypeID, parsers);
        rows.push(row);
      } else if (m.name === 'commandComplete') affectedRows += affected(m.text as string);
    }
    return { rows: rows as T[], affectedRows };
  }
}

/** Rows a command reports it changed (INSERT 0 n, UPDATE n, …), as PGlite counts them. */
function affected(tag: string): number {
  const words = tag.split(' ');
  if (words[0] === 'INSERT') return Number.parseInt(words[2]!, 10);
  if (['UPDATE', 'DELETE', 'COPY', 'MERGE'].includes(words[0]!)) return Number.parseInt(words[1]!, 10);
  return 0;
}

/** A PGlite whose statements go through {@link PreparedStatements}, as PgliteDb uses one in its own process. */
export function preparedPglite(pglite: PGlite): PgliteLike {
  const statements = new PreparedStatements(pglite);
  return {
    query: (sql, params) => statements.query(sql, params),
    exec: (script) => statements.exec(script),
    transaction: (fn) =>
      pglite.transaction((tx) =>
        fn({ query: (sql, params) => statements.query(sql, params), exec: (script) => statements.exec(script, tx) }),
      ),
    dumpDataDir: (compression) => pglite.dumpDataDir(compression) as Promise<Blob>,
    close: () => pglite.close(),
    get closed() {
      return pglite.closed;
    },
  };
}
