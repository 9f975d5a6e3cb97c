/** Squawk-style index, REINDEX, VACUUM and partition cases, options read by their value. */
import { clean, finding, warned } from '../case.js';
import { file, type SequenceCase } from './sequence.js';

export const indexSequences: SequenceCase[] = [
  {
    name: 'create an index without CONCURRENTLY',
    squawk: 'require-concurrent-index-creation',
    files: [
      file('CREATE INDEX app_user_email_idx ON app_user (email);', finding('create-index-not-concurrently', 'locking')),
    ],
  },
  {
    name: 'an index on a table created by the previous migration still needs CONCURRENTLY',
    squawk: 'require-concurrent-index-creation',
    files: [
      file('CREATE TABLE tag (id bigint PRIMARY KEY, label text);', clean('safe')),
      file('CREATE INDEX tag_label_idx ON tag (label);', finding('create-index-not-concurrently', 'locking')),
    ],
  },
  {
    name: 'an index on a table created in the same file',
    squawk: 'require-concurrent-index-creation',
    files: [
      file(
        'CREATE TABLE tag (id bigint PRIMARY KEY, label text);\nCREATE INDEX tag_label_idx ON tag (label);',
        clean('safe'),
        clean('safe'),
      ),
    ],
  },
  {
    name: 'create an index CONCURRENTLY without IF NOT EXISTS',
    squawk: 'prefer-robust-stmts',
    files: [
      file(
        'CREATE INDEX CONCURRENTLY app_user_email_idx ON app_user (email);',
        warned('backward-compatible', ['concurrent-index-without-if-not-exists']),
      ),
    ],
  },
  {
    name: 'create an index CONCURRENTLY IF NOT EXISTS',
    squawk: 'prefer-robust-stmts',
    files: [
      file(
        'CREATE INDEX CONCURRENTLY IF NOT EXISTS app_user_email_idx ON app_user (email);',
        clean('backward-compatible'),
      ),
    ],
  },
  {
    name: 'create an unnamed index CONCURRENTLY',
    squawk: 'prefer-robust-stmts',
    files: [file('CREATE INDEX CONCURRENTLY ON app_user (email);', finding('unnamed-concurrent-index', 'locking'))],
  },
  {
    name: 'CREATE INDEX CONCURRENTLY inside BEGIN … COMMIT',
    squawk: 'ban-concurrent-index-creation-in-transaction',
    files: [
      file(
        'BEGIN;\nCREATE INDEX CONCURRENTLY IF NOT EXISTS app_user_email_idx ON app_user (email);\nCOMMIT;',
        finding('transaction-control', 'locking'),
        finding('concurrently-in-transaction', 'locking'),
        finding('transaction-control', 'locking'),
      ),
    ],
  },
  {
    name: 'drop an index without CONCURRENTLY',
    squawk: 'require-concurrent-index-deletion',
    files: [file('DROP INDEX recipe_title_idx;', finding('drop-index-not-concurrently', 'locking'))],
  },
  {
    name: 'drop an index CONCURRENTLY IF EXISTS',
    squawk: 'require-concurrent-index-deletion',
    files: [file('DROP INDEX CONCURRENTLY IF EXISTS recipe_title_idx;', clean('backward-compatible'))],
  },
  {
    name: 'REINDEX an index',
    squawk: 'require-concurrent-reindex',
    files: [file('REINDEX INDEX recipe_title_idx;', finding('reindex-not-concurrently', 'locking'))],
  },
  {
    name: 'REINDEX (CONCURRENTLY false) an index',
    squawk: 'require-concurrent-reindex',
    files: [
      file('REINDEX (CONCURRENTLY false) INDEX recipe_title_idx;', finding('reindex-not-concurrently', 'locking')),
    ],
  },
  {
    name: 'REINDEX (CONCURRENTLY false) a table',
    squawk: 'require-concurrent-reindex',
    files: [file('REINDEX (CONCURRENTLY false) TABLE recipe;', finding('reindex-not-concurrently', 'locking'))],
  },
  {
    name: 'REINDEX an index CONCURRENTLY',
    squawk: 'require-concurrent-reindex',
    files: [file('REINDEX INDEX CONCURRENTLY recipe_title_idx;', clean('backward-compatible'))],
  },
  {
    name: 'REINDEX (CONCURRENTLY) a table',
    squawk: 'require-concurrent-reindex',
    files: [file('REINDEX (CONCURRENTLY) TABLE recipe;', clean('backward-compatible'))],
  },
  {
    name: 'REINDEX SYSTEM, which has no concurrent form',
    squawk: 'require-concurrent-reindex',
    files: [file('REINDEX SYSTEM recipes;', clean('backward-compatible'))],
  },
  {
    name: 'VACUUM FULL',
    squawk: 'prefer-repack',
    files: [file('VACUUM FULL recipe;', finding('vacuum-full', 'locking'))],
  },
  {
    name: 'VACUUM (FULL false)',
    squawk: 'prefer-repack',
    files: [file('VACUUM (FULL false) recipe;', clean('backward-compatible'))],
  },
  {
    name: 'CLUSTER',
    squawk: 'prefer-repack',
    files: [file('CLUSTER recipe USING recipe_title_idx;', finding('cluster', 'locking'))],
  },
  {
    name: 'detach a partition without CONCURRENTLY',
    squawk: 'require-concurrent-partition-detach',
    files: [
      file(
        'ALTER TABLE measurement DETACH PARTITION measurement_2024;',
        finding('detach-partition-not-concurrently', 'locking'),
      ),
    ],
  },
  {
    name: 'detach a partition CONCURRENTLY',
    squawk: 'require-concurrent-partition-detach',
    files: [
      file('ALTER TABLE measurement DETACH PARTITION measurement_2024 CONCURRENTLY;', clean('backward-compatible')),
    ],
  },
];
