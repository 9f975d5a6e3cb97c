/** Index cases: CONCURRENTLY or not, new tables, REINDEX, CONCURRENTLY inside a transaction. */
import { clean, type CorpusCase, finding, warned } from './case.js';

export const indexCases: CorpusCase[] = [
  {
    name: 'create an index on an existing table',
    sql: 'CREATE INDEX index_ci_builds_on_status ON ci_builds (status);',
    expect: [finding('create-index-not-concurrently', 'locking')],
  },
  {
    name: 'create an index CONCURRENTLY',
    sql: 'CREATE INDEX CONCURRENTLY index_ci_builds_on_status ON ci_builds (status);',
    expect: [warned('backward-compatible', ['concurrent-index-without-if-not-exists'])],
    source: 'gitlabhq/gitlabhq: add_concurrent_index with disable_ddl_transaction!',
  },
  {
    name: 'create a unique expression index inside a migration transaction',
    sql:
      'CREATE UNIQUE INDEX index_accounts_on_username_and_domain_lower ON accounts (lower(username), ' +
      "COALESCE(lower(domain), ''));",
    expect: [finding('create-index-not-concurrently', 'locking')],
    source: 'mastodon/mastodon: unique index on accounts (lower(username), lower(domain))',
  },
  {
    name: 'create an index on a table created in the same file',
    sql:
      'CREATE TABLE crew (id bigint PRIMARY KEY, vessel_id bigint NOT NULL);\nCREATE INDEX crew_vessel_id_idx ON ' +
      'crew (vessel_id);',
    expect: [clean('safe'), clean('safe')],
  },
  {
    name: 'create a partial index CONCURRENTLY',
    sql:
      'CREATE INDEX CONCURRENTLY index_ci_builds_metadata_on_build_id_and_interruptible_false\n  ON ' +
      'ci_builds_metadata (build_id) WHERE interruptible = false;',
    expect: [warned('backward-compatible', ['concurrent-index-without-if-not-exists'])],
    source: 'gitlabhq/gitlabhq db/migrate/20190905223900_add_concurrent_index_to_builds_metadata.rb',
  },
  {
    name: 'drop an index',
    sql: 'DROP INDEX index_vessels_on_name;',
    expect: [finding('drop-index-not-concurrently', 'locking')],
  },
  {
    name: 'drop an index CONCURRENTLY',
    sql: 'DROP INDEX CONCURRENTLY IF EXISTS index_vessels_on_name;',
    expect: [clean('backward-compatible')],
    source: 'gitlabhq/gitlabhq: remove_concurrent_index_by_name',
  },
  {
    name: 'drop an index created in the same file',
    sql: 'CREATE INDEX CONCURRENTLY tmp_vessels_imo_idx ON vessels (imo_number);\nDROP INDEX tmp_vessels_imo_idx;',
    expect: [warned('backward-compatible', ['concurrent-index-without-if-not-exists']), clean('safe')],
  },
  {
    name: 'REINDEX a table',
    sql: 'REINDEX TABLE vessels;',
    expect: [finding('reindex-not-concurrently', 'locking')],
  },
  {
    name: 'REINDEX an index CONCURRENTLY',
    sql: 'REINDEX INDEX CONCURRENTLY index_vessels_on_name;',
    expect: [clean('backward-compatible')],
  },
  {
    name: 'REINDEX (CONCURRENTLY false) INDEX is the plain form',
    sql: 'REINDEX (CONCURRENTLY false) INDEX index_vessels_on_name;',
    expect: [finding('reindex-not-concurrently', 'locking')],
  },
  {
    name: 'REINDEX (CONCURRENTLY off) TABLE is the plain form',
    sql: 'REINDEX (CONCURRENTLY off) TABLE vessels;',
    expect: [finding('reindex-not-concurrently', 'locking')],
  },
  {
    name: 'REINDEX (CONCURRENTLY true) TABLE',
    sql: 'REINDEX (CONCURRENTLY true) TABLE vessels;',
    expect: [clean('backward-compatible')],
  },
  {
    name: 'REINDEX SYSTEM has no concurrent form',
    sql: 'REINDEX SYSTEM harbor;',
    expect: [clean('backward-compatible')],
  },
  {
    name: 'REINDEX DATABASE without CONCURRENTLY',
    sql: 'REINDEX DATABASE harbor;',
    expect: [finding('reindex-not-concurrently', 'locking')],
  },
  {
    name: 'CREATE INDEX CONCURRENTLY inside BEGIN … COMMIT',
    sql: 'BEGIN;\nCREATE INDEX CONCURRENTLY vessels_flag_state_idx ON vessels (flag_state);\nCOMMIT;',
    expect: [
      finding('transaction-control', 'locking'),
      finding('concurrently-in-transaction', 'locking', ['concurrent-index-without-if-not-exists']),
      finding('transaction-control', 'locking'),
    ],
  },
  {
    name: 'DROP INDEX CONCURRENTLY inside START TRANSACTION',
    sql: 'START TRANSACTION;\nDROP INDEX CONCURRENTLY vessels_flag_state_idx;\nCOMMIT;',
    expect: [
      finding('transaction-control', 'locking'),
      finding('concurrently-in-transaction', 'locking'),
      finding('transaction-control', 'locking'),
    ],
  },
  {
    name: 'CONCURRENTLY after the transaction block is committed',
    sql:
      'BEGIN;\nALTER TABLE vessels ADD COLUMN rank int;\nCOMMIT;\nCREATE INDEX CONCURRENTLY vessels_rank_idx ON ' +
      'vessels (rank);',
    expect: [
      finding('transaction-control', 'locking'),
      warned('backward-compatible', ['prefer-bigint']),
      finding('transaction-control', 'locking'),
      warned('backward-compatible', ['concurrent-index-without-if-not-exists']),
    ],
  },
];
