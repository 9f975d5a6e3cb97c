/** Squawk-style whole-object cases: drops, TRUNCATE, renames, transaction control, lock_timeout. */
import { clean, finding } from '../case.js';
import { file, type SequenceCase } from './sequence.js';

export const tableSequences: SequenceCase[] = [
  {
    name: 'drop a table',
    squawk: 'ban-drop-table',
    files: [file('DROP TABLE event_log;', finding('drop-table', 'data-loss'))],
  },
  {
    name: 'drop, in 0003, a table 0002 created',
    squawk: 'ban-drop-table',
    files: [
      file('CREATE TABLE import_batch (id bigint PRIMARY KEY);', clean('safe')),
      file('DROP TABLE import_batch;', finding('drop-table', 'data-loss')),
    ],
  },
  {
    name: 'drop a database',
    squawk: 'ban-drop-database',
    files: [file('DROP DATABASE recipes_archive;', finding('drop-database', 'data-loss'))],
  },
  {
    name: 'drop a database IF EXISTS',
    squawk: 'ban-drop-database',
    files: [file('DROP DATABASE IF EXISTS "recipes_archive";', finding('drop-database', 'data-loss'))],
  },
  {
    name: 'TRUNCATE … CASCADE',
    squawk: 'ban-truncate-cascade',
    files: [file('TRUNCATE app_user CASCADE;', finding('truncate-cascade', 'data-loss'))],
  },
  {
    name: 'rename a table',
    squawk: 'renaming-table',
    files: [file('ALTER TABLE recipe RENAME TO dish;', finding('rename-table', 'breaking'))],
  },
  {
    name: 'BEGIN without COMMIT',
    squawk: 'ban-uncommitted-transaction',
    files: [
      file(
        'BEGIN;\nALTER TABLE app_user ADD COLUMN bio text;',
        finding('transaction-control', 'locking'),
        clean('backward-compatible'),
      ),
    ],
  },
  {
    name: 'BEGIN … COMMIT in a migration the runner already wraps',
    squawk: 'transaction-nesting',
    files: [
      file(
        'BEGIN;\nALTER TABLE app_user ADD COLUMN bio text;\nCOMMIT;',
        finding('transaction-control', 'locking'),
        clean('backward-compatible'),
        finding('transaction-control', 'locking'),
      ),
    ],
  },
  {
    name: 'DDL with nothing setting lock_timeout',
    squawk: 'require-timeout-settings',
    runnerSetsLockTimeout: false,
    files: [file('ALTER TABLE app_user ADD COLUMN bio text;', finding('ddl-without-lock-timeout', 'locking'))],
  },
  {
    name: 'DDL after SET lock_timeout and statement_timeout',
    squawk: 'require-timeout-settings',
    runnerSetsLockTimeout: false,
    files: [
      file(
        "SET lock_timeout = '1s';\nSET statement_timeout = '5s';\nALTER TABLE app_user ADD COLUMN bio text;",
        clean('safe'),
        clean('safe'),
        clean('backward-compatible'),
      ),
    ],
  },
  {
    name: 'SET lock_timeout in 0002 does not cover 0003',
    squawk: 'require-timeout-settings',
    runnerSetsLockTimeout: false,
    files: [
      file(
        "SET lock_timeout = '1s';\nALTER TABLE app_user ADD COLUMN bio text;",
        clean('safe'),
        clean('backward-compatible'),
      ),
      file('ALTER TABLE app_user ADD COLUMN motto text;', finding('ddl-without-lock-timeout', 'locking')),
    ],
  },
];
