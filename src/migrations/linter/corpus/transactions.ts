/** lock_timeout cases: which statements need it, what satisfies it, and that it is reported once. */
import { clean, type CorpusCase, finding } from './case.js';

export const transactionCases: CorpusCase[] = [
  {
    name: 'DDL without lock_timeout',
    sql: 'ALTER TABLE vessels ADD COLUMN eta timestamptz;',
    options: {},
    expect: [finding('ddl-without-lock-timeout', 'locking')],
  },
  {
    name: 'SET lock_timeout before the DDL',
    sql: "SET lock_timeout = '2s';\nALTER TABLE vessels ADD COLUMN eta timestamptz;",
    options: {},
    expect: [clean('safe'), clean('backward-compatible')],
  },
  {
    name: 'SET LOCAL lock_timeout inside the transaction',
    sql: "BEGIN;\nSET LOCAL lock_timeout = '2s';\nALTER TABLE vessels ADD COLUMN eta timestamptz;\nCOMMIT;",
    options: {},
    expect: [clean('safe'), clean('safe'), clean('backward-compatible'), clean('safe')],
  },
  {
    name: 'lock_timeout = 0 switches the timeout off',
    sql: 'SET lock_timeout = 0;\nALTER TABLE vessels ADD COLUMN eta timestamptz;',
    options: {},
    expect: [clean('safe'), finding('ddl-without-lock-timeout', 'locking')],
  },
  {
    name: 'SET lock_timeout after the DDL is too late',
    sql: "ALTER TABLE vessels ADD COLUMN eta timestamptz;\nSET lock_timeout = '2s';",
    options: {},
    expect: [finding('ddl-without-lock-timeout', 'locking'), clean('safe')],
  },
  {
    name: 'missing lock_timeout is reported once per file',
    sql: 'ALTER TABLE vessels ADD COLUMN eta timestamptz;\nALTER TABLE ports ADD COLUMN timezone text;',
    options: {},
    expect: [finding('ddl-without-lock-timeout', 'locking'), clean('backward-compatible')],
  },
  {
    name: 'DDL on new objects needs no lock_timeout',
    sql: 'CREATE TABLE tugs (id bigint PRIMARY KEY, name text);\nCREATE INDEX tugs_name_idx ON tugs (name);\nALTER TABLE tugs ADD COLUMN bollard_pull_t numeric;',
    options: {},
    expect: [clean('safe'), clean('safe'), clean('safe')],
  },
  {
    name: 'CREATE INDEX CONCURRENTLY does not block writes while it waits',
    sql: 'CREATE INDEX CONCURRENTLY vessels_eta_idx ON vessels (eta);',
    options: {},
    expect: [clean('backward-compatible')],
  },
  {
    name: 'the first DDL after a safe CREATE TABLE carries the finding',
    sql: 'CREATE TABLE vessel_flags (vessel_id bigint NOT NULL, flag text NOT NULL);\nALTER TABLE vessels ADD COLUMN flag_id bigint;',
    options: {},
    expect: [clean('safe'), finding('ddl-without-lock-timeout', 'locking')],
  },
  {
    name: 'LOCK TABLE explicitly',
    sql: 'LOCK TABLE vessels IN ACCESS EXCLUSIVE MODE;',
    expect: [clean('backward-compatible')],
  },
  {
    name: 'LOCK TABLE without lock_timeout',
    sql: 'LOCK TABLE vessels IN SHARE MODE;',
    options: {},
    expect: [finding('ddl-without-lock-timeout', 'locking')],
  },
];
