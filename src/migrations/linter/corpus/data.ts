/** Data-change cases: UPDATE / DELETE without WHERE, backfills, seeds. */
import { clean, type CorpusCase, finding, warned } from './case.js';

export const dataCases: CorpusCase[] = [
  {
    name: 'UPDATE without WHERE',
    sql: "UPDATE vessels SET status = 'active';",
    expect: [finding('update-without-where', 'data-loss')],
  },
  {
    name: 'UPDATE with WHERE in a batch',
    sql: "UPDATE vessels SET status = 'active' WHERE status IS NULL AND id BETWEEN 1 AND 10000;",
    expect: [clean('backward-compatible')],
  },
  {
    name: 'DELETE without WHERE',
    sql: 'DELETE FROM sessions;',
    expect: [finding('delete-without-where', 'data-loss')],
  },
  {
    name: 'DELETE with WHERE',
    sql: "DELETE FROM sessions WHERE updated_at < now() - interval '30 days';",
    expect: [clean('backward-compatible')],
  },
  {
    name: 'backfill a new column in the DDL transaction',
    sql: 'ALTER TABLE vessels ADD COLUMN flag_code text;\nUPDATE vessels SET flag_code = upper(flag_state);',
    expect: [
      clean('backward-compatible'),
      finding('backfill-without-batching', 'locking', ['backfill-in-ddl-transaction']),
    ],
  },
  {
    name: 'batched backfill still inside the DDL transaction',
    sql:
      'ALTER TABLE topics ADD COLUMN slug text;\nUPDATE topics SET slug = lower(title) WHERE slug IS NULL AND id ' +
      '< 10000;',
    expect: [clean('backward-compatible'), finding('backfill-in-ddl-transaction', 'locking')],
    source: 'discourse/discourse: add column then execute UPDATE in the same migration',
  },
  {
    name: 'INSERT … SELECT copy after DDL in one transaction',
    sql:
      "ALTER TABLE ports ADD COLUMN region text;\nINSERT INTO port_regions (port_id, region) SELECT id, 'EU' " +
      'FROM ports;',
    expect: [clean('backward-compatible'), finding('backfill-in-ddl-transaction', 'locking')],
  },
  {
    name: 'seed rows into a table created in the same file',
    sql:
      'CREATE TABLE hull_types (code text PRIMARY KEY, label text NOT NULL);\nINSERT INTO hull_types (code, ' +
      "label) VALUES ('bulk', 'Bulk carrier'), ('tank', 'Tanker');",
    expect: [clean('safe'), clean('safe')],
  },
  {
    name: 'UPDATE without WHERE on a table created in the same file',
    sql: 'CREATE TABLE hull_types (code text PRIMARY KEY, label text);\nUPDATE hull_types SET label = upper(code);',
    expect: [clean('safe'), clean('safe')],
  },
  {
    name: 'insert seed rows into an existing table',
    sql: "INSERT INTO settings (name, value) VALUES ('max_draft_m', '14.5') ON CONFLICT (name) DO NOTHING;",
    expect: [clean('backward-compatible')],
  },
  {
    name: 'backfill in a migration that runs statement by statement (CONCURRENTLY)',
    sql:
      'CREATE INDEX CONCURRENTLY vessels_rank_idx ON vessels (rank);\nUPDATE vessels SET rank = 0 WHERE rank IS ' +
      'NULL AND id < 10000;',
    expect: [warned('backward-compatible', ['concurrent-index-without-if-not-exists']), clean('backward-compatible')],
  },
  {
    name: 'backfill after the DDL transaction block commits',
    sql:
      'BEGIN;\nALTER TABLE vessels ADD COLUMN z int;\nCOMMIT;\nUPDATE vessels SET z = 0 WHERE z IS NULL AND id < ' +
      '10000;',
    expect: [
      finding('transaction-control', 'locking'),
      warned('backward-compatible', ['prefer-bigint']),
      finding('transaction-control', 'locking'),
      clean('backward-compatible'),
    ],
  },
];
