/** Table cases: renames, drops, TRUNCATE, VACUUM FULL, CLUSTER, partitions. */
import { allowed, clean, type CorpusCase, finding, warned } from './case.js';

export const tableCases: CorpusCase[] = [
  {
    name: 'rename a table',
    sql: 'ALTER TABLE vessels RENAME TO ships;',
    expect: [finding('rename-table', 'breaking')],
  },
  {
    name: 'rename a table and keep the old name as a view, allowed',
    sql:
      '-- slipway: allow rename-table because a view keeps the old name until 3.0\nALTER TABLE vessels RENAME TO ' +
      'ships;\nCREATE VIEW vessels AS SELECT * FROM ships;',
    expect: [allowed('rename-table', 'breaking', 'a view keeps the old name until 3.0'), clean('safe')],
  },
  {
    name: 'rename a table created in the same file',
    sql: 'CREATE TABLE tmp_ports (id bigint PRIMARY KEY);\nALTER TABLE tmp_ports RENAME TO ports_v2;',
    expect: [clean('safe'), clean('safe')],
  },
  {
    name: 'rename a view',
    sql: 'ALTER VIEW active_vessels RENAME TO vessels_in_service;',
    expect: [finding('rename-table', 'breaking')],
  },
  {
    name: 'rename an index',
    sql: 'ALTER INDEX vessels_name_idx RENAME TO index_vessels_on_name;',
    expect: [clean('backward-compatible')],
  },
  {
    name: 'drop a table',
    sql: 'DROP TABLE legacy_manifests;',
    expect: [finding('drop-table', 'data-loss')],
  },
  {
    name: 'drop a table IF EXISTS CASCADE',
    sql: 'DROP TABLE IF EXISTS ci_build_trace_sections CASCADE;',
    expect: [finding('drop-table', 'data-loss')],
    source: 'gitlabhq/gitlabhq db/post_migrate: drop_table of a retired feature',
  },
  {
    name: 'drop a table created in the same file',
    sql: 'CREATE TABLE scratch (id int);\nDROP TABLE scratch;',
    expect: [warned('safe', ['prefer-bigint']), clean('safe')],
  },
  {
    name: 'drop a new and an existing table in one statement',
    sql: 'CREATE TABLE import_tmp (id bigint);\nDROP TABLE import_tmp, old_audit;',
    expect: [clean('safe'), finding('drop-table', 'data-loss')],
  },
  {
    name: 'drop a schema with CASCADE',
    sql: 'DROP SCHEMA reporting CASCADE;',
    expect: [finding('drop-schema', 'data-loss')],
  },
  {
    name: 'drop a schema created in the same file',
    sql: 'CREATE SCHEMA staging;\nDROP SCHEMA staging;',
    expect: [clean('safe'), clean('safe')],
  },
  {
    name: 'truncate a table',
    sql: 'TRUNCATE vessel_positions;',
    expect: [finding('truncate-table', 'data-loss')],
  },
  {
    name: 'truncate with CASCADE',
    sql: 'TRUNCATE ports, berths CASCADE;',
    expect: [finding('truncate-cascade', 'data-loss')],
  },
  {
    name: 'truncate a table created in the same file',
    sql: 'CREATE TABLE import_rows (line text);\nTRUNCATE import_rows;',
    expect: [clean('safe'), clean('safe')],
  },
  {
    name: 'VACUUM FULL',
    sql: 'VACUUM FULL vessel_positions;',
    expect: [finding('vacuum-full', 'locking')],
  },
  {
    name: 'VACUUM (FULL, ANALYZE)',
    sql: 'VACUUM (FULL, ANALYZE) vessel_positions;',
    expect: [finding('vacuum-full', 'locking')],
  },
  {
    name: 'VACUUM (FULL false) is a plain VACUUM',
    sql: 'VACUUM (FULL false) vessel_positions;',
    expect: [clean('backward-compatible')],
  },
  {
    name: 'VACUUM (FULL off, ANALYZE) and (FULL 0) are plain VACUUMs',
    sql: 'VACUUM (FULL off, ANALYZE) vessel_positions;\nVACUUM (FULL 0) vessel_positions;',
    expect: [clean('backward-compatible'), clean('backward-compatible')],
  },
  {
    name: 'VACUUM (FULL true)',
    sql: 'VACUUM (FULL true) vessel_positions;',
    expect: [finding('vacuum-full', 'locking')],
  },
  {
    name: 'plain VACUUM ANALYZE',
    sql: 'VACUUM ANALYZE vessel_positions;',
    expect: [clean('backward-compatible')],
  },
  {
    name: 'CLUSTER',
    sql: 'CLUSTER vessel_positions USING vessel_positions_recorded_at_idx;',
    expect: [finding('cluster', 'locking')],
  },
  {
    name: 'detach a partition without CONCURRENTLY',
    sql: 'ALTER TABLE vessel_positions DETACH PARTITION vessel_positions_2019;',
    expect: [finding('detach-partition-not-concurrently', 'locking')],
  },
  {
    name: 'detach a partition CONCURRENTLY',
    sql: 'ALTER TABLE vessel_positions DETACH PARTITION vessel_positions_2019 CONCURRENTLY;',
    expect: [clean('backward-compatible')],
  },
  {
    name: 'attach a partition',
    sql:
      "ALTER TABLE vessel_positions ATTACH PARTITION vessel_positions_2025 FOR VALUES FROM ('2025-01-01') TO " +
      "('2026-01-01');",
    expect: [clean('backward-compatible')],
  },
  {
    name: 'CREATE TABLE … PARTITION OF locks the parent: needs lock_timeout',
    sql:
      "CREATE TABLE vessel_positions_2026 PARTITION OF vessel_positions FOR VALUES FROM ('2026-01-01') TO " +
      "('2027-01-01');",
    options: {},
    expect: [finding('ddl-without-lock-timeout', 'locking')],
  },
];
