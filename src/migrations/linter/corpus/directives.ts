/** Allow-directive cases: what a directive covers, and the warnings for stale or broken ones. */
import { allowed, type CorpusCase, finding, warned } from './case.js';

export const directiveCases: CorpusCase[] = [
  {
    name: 'allow a rule with a reason',
    sql:
      '-- slipway: allow rename-column because the ORM maps both names until 3.0 (alias_attribute)\nALTER TABLE ' +
      'vessels RENAME COLUMN tonnage TO gross_tonnage;',
    expect: [allowed('rename-column', 'breaking', 'the ORM maps both names until 3.0 (alias_attribute)')],
  },
  {
    name: 'an allow for another rule covers nothing',
    sql:
      '-- slipway: allow drop-column because not needed\nALTER TABLE vessels RENAME COLUMN tonnage TO ' +
      'gross_tonnage;',
    expect: [finding('rename-column', 'breaking', ['unused-allow'])],
  },
  {
    name: 'an allow naming no rule',
    sql: '-- slipway: allow no-such-rule because typo\nSELECT 1;',
    expect: [warned('safe', ['unused-allow'])],
  },
  {
    name: 'an allow covers the next statement only',
    sql:
      '-- slipway: allow drop-table because archived to S3 in 2.3\nDROP TABLE vessel_positions_2019;\nDROP TABLE ' +
      'vessel_positions_2020;',
    expect: [allowed('drop-table', 'data-loss', 'archived to S3 in 2.3'), finding('drop-table', 'data-loss')],
  },
  {
    name: 'comments and blank lines between the allow and its statement',
    sql: '-- slipway: allow truncate-table because demo fixtures only\n\n-- reset the demo data\nTRUNCATE demo_rows;',
    expect: [allowed('truncate-table', 'data-loss', 'demo fixtures only')],
  },
  {
    name: 'an allow without a reason is not an allow',
    sql: '-- slipway: allow drop-table\nDROP TABLE legacy_manifests;',
    expect: [finding('drop-table', 'data-loss', ['invalid-directive'])],
  },
  {
    name: 'two allows for one statement',
    sql:
      '-- slipway: allow add-column-volatile-default because the table holds 2,000 rows\n' +
      '-- slipway: allow ddl-without-lock-timeout because it runs in the maintenance window\n' +
      'ALTER TABLE ports ADD COLUMN public_id uuid NOT NULL DEFAULT gen_random_uuid();',
    options: {},
    expect: [
      {
        class: 'locking',
        rules: ['add-column-volatile-default', 'ddl-without-lock-timeout'],
        allows: {
          'add-column-volatile-default': 'the table holds 2,000 rows',
          'ddl-without-lock-timeout': 'it runs in the maintenance window',
        },
      },
    ],
  },
  {
    name: 'an allow after the last statement',
    sql: 'SELECT 1;\n-- slipway: allow drop-table because nothing follows',
    expect: [warned('safe', ['unused-allow'])],
  },
  {
    name: 'an allow inside a contract migration',
    sql:
      '-- slipway: phase=contract after=15.0.0\n-- slipway: allow drop-column because ignored since 14.10, ' +
      'removed in 15.0\nALTER TABLE ci_builds DROP COLUMN IF EXISTS stage_id_convert_to_bigint;',
    expect: [allowed('drop-column', 'data-loss', 'ignored since 14.10, removed in 15.0')],
    source: 'gitlabhq/gitlabhq: ignore_column in one release, remove_column in the next',
  },
];
