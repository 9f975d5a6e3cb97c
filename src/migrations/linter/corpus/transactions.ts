/**
 * Transaction cases: lock_timeout (which statements need it, what satisfies it, that it is reported
 * once) and transaction control, which the runner refuses except for savepoints.
 */
import { allowed, clean, type CorpusCase, finding, warned } from './case.js';

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
    expect: [
      finding('transaction-control', 'locking'),
      clean('safe'),
      clean('backward-compatible'),
      finding('transaction-control', 'locking'),
    ],
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
    sql:
      'CREATE TABLE tugs (id bigint PRIMARY KEY, name text);\nCREATE INDEX tugs_name_idx ON tugs (name);\nALTER ' +
      'TABLE tugs ADD COLUMN bollard_pull_t numeric;',
    options: {},
    expect: [clean('safe'), clean('safe'), clean('safe')],
  },
  {
    name: 'CREATE INDEX CONCURRENTLY does not block writes while it waits',
    sql: 'CREATE INDEX CONCURRENTLY vessels_eta_idx ON vessels (eta);',
    options: {},
    expect: [warned('backward-compatible', ['concurrent-index-without-if-not-exists'])],
  },
  {
    name: 'the first DDL after a safe CREATE TABLE carries the finding',
    sql:
      'CREATE TABLE vessel_flags (vessel_id bigint NOT NULL, flag text NOT NULL);\nALTER TABLE vessels ADD ' +
      'COLUMN flag_id bigint;',
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
  {
    name: 'BEGIN … COMMIT around the DDL',
    sql: 'BEGIN;\nALTER TABLE vessels ADD COLUMN eta timestamptz;\nCOMMIT;',
    expect: [
      finding('transaction-control', 'locking'),
      clean('backward-compatible'),
      finding('transaction-control', 'locking'),
    ],
  },
  {
    name: 'START TRANSACTION … END around a seed',
    sql:
      "START TRANSACTION ISOLATION LEVEL SERIALIZABLE;\nINSERT INTO ports (code, name) VALUES ('NLRTM', " +
      "'Rotterdam');\nEND;",
    expect: [
      finding('transaction-control', 'locking'),
      clean('backward-compatible'),
      finding('transaction-control', 'locking'),
    ],
  },
  {
    name: 'SAVEPOINT, ROLLBACK TO SAVEPOINT and RELEASE run inside the runner transaction',
    sql:
      'SAVEPOINT before_seed;\n' +
      "INSERT INTO ports (code, name) VALUES ('NLRTM', 'Rotterdam');\n" +
      'ROLLBACK TO SAVEPOINT before_seed;\n' +
      'RELEASE SAVEPOINT before_seed;',
    expect: [clean('safe'), clean('backward-compatible'), clean('safe'), clean('safe')],
  },
  {
    name: 'allow transaction-control for a file applied by hand',
    sql:
      '-- slipway: allow transaction-control because psql -f runs this repair script, not slipway migrate apply\n' +
      'BEGIN;\n' +
      "UPDATE vessels SET flag_state = 'PA' WHERE id = 4711;\n" +
      '-- slipway: allow transaction-control because psql -f runs this repair script, not slipway migrate apply\n' +
      'COMMIT;',
    expect: [
      allowed('transaction-control', 'locking', 'psql -f runs this repair script, not slipway migrate apply'),
      clean('backward-compatible'),
      allowed('transaction-control', 'locking', 'psql -f runs this repair script, not slipway migrate apply'),
    ],
  },
];
