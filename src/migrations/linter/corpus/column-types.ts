/** ALTER COLUMN … TYPE cases: rewrites, binary-compatible changes, unknown current types. */
import { clean, type CorpusCase, finding, warned } from './case.js';

export const columnTypeCases: CorpusCase[] = [
  {
    name: 'change a column type whose current type is unknown',
    sql: 'ALTER TABLE vessels ALTER COLUMN tonnage TYPE numeric(12,2);',
    expect: [finding('change-column-type', 'breaking')],
  },
  {
    name: 'change a column type USING a conversion',
    sql: "ALTER TABLE voyages ALTER COLUMN eta TYPE timestamptz USING eta AT TIME ZONE 'UTC';",
    expect: [finding('change-column-type', 'breaking')],
  },
  {
    name: 'widen an integer key in place',
    sql: 'ALTER TABLE ci_builds ALTER COLUMN id TYPE bigint;',
    expect: [finding('change-column-type', 'breaking')],
    source: 'gitlabhq/gitlabhq: ci_builds.id int→bigint, done with a shadow column instead',
  },
  {
    name: 'change a Django CharField max_length (unknown current type)',
    sql: 'ALTER TABLE "sentry_groupedmessage" ALTER COLUMN "level" TYPE varchar(32);',
    expect: [finding('change-column-type', 'breaking', ['prefer-text'])],
    source: 'getsentry/sentry: AlterField on sentry_groupedmessage',
  },
  {
    name: 'grow varchar(n) to varchar(m>n): no rewrite',
    sql:
      'ALTER TABLE vessels ADD COLUMN callsign varchar(7);\nALTER TABLE vessels ALTER COLUMN callsign TYPE ' +
      'varchar(12);',
    expect: [warned('backward-compatible', ['prefer-text']), warned('backward-compatible', ['prefer-text'])],
  },
  {
    name: 'varchar(n) to text: no rewrite',
    sql: 'ALTER TABLE ports ADD COLUMN locode varchar(5);\nALTER TABLE ports ALTER COLUMN locode TYPE text;',
    expect: [warned('backward-compatible', ['prefer-text']), clean('backward-compatible')],
  },
  {
    name: 'shrink varchar: checks and rewrites',
    sql: 'ALTER TABLE ports ADD COLUMN unlocode varchar(10);\nALTER TABLE ports ALTER COLUMN unlocode TYPE varchar(5);',
    expect: [
      warned('backward-compatible', ['prefer-text']),
      finding('change-column-type', 'breaking', ['prefer-text']),
    ],
  },
  {
    name: 'raise numeric precision at the same scale: no rewrite',
    sql:
      'ALTER TABLE voyages ADD COLUMN fuel numeric(10,2);\nALTER TABLE voyages ALTER COLUMN fuel TYPE ' +
      'numeric(14,2);',
    expect: [clean('backward-compatible'), clean('backward-compatible')],
  },
  {
    name: 'change numeric scale: rewrite',
    sql:
      'ALTER TABLE voyages ADD COLUMN fuel numeric(10,2);\nALTER TABLE voyages ALTER COLUMN fuel TYPE ' +
      'numeric(12,4);',
    expect: [clean('backward-compatible'), finding('change-column-type', 'breaking')],
  },
  {
    name: 'numeric(p,s) to unconstrained numeric: no rewrite',
    sql: 'ALTER TABLE voyages ADD COLUMN fuel numeric(10,2);\nALTER TABLE voyages ALTER COLUMN fuel TYPE numeric;',
    expect: [clean('backward-compatible'), clean('backward-compatible')],
  },
  {
    name: 'cidr to inet: no rewrite',
    sql: 'ALTER TABLE gateways ADD COLUMN network cidr;\nALTER TABLE gateways ALTER COLUMN network TYPE inet;',
    expect: [clean('backward-compatible'), clean('backward-compatible')],
  },
  {
    name: 'timestamp to timestamptz counts as a rewrite',
    sql:
      'ALTER TABLE voyages ADD COLUMN departed timestamp;\nALTER TABLE voyages ALTER COLUMN departed TYPE ' +
      'timestamptz;',
    expect: [warned('backward-compatible', ['prefer-timestamptz']), finding('change-column-type', 'breaking')],
  },
  {
    name: 'change a column type on a table created in the same file',
    sql: 'CREATE TABLE quays (id bigint PRIMARY KEY, depth int);\nALTER TABLE quays ALTER COLUMN depth TYPE numeric;',
    expect: [warned('safe', ['prefer-bigint']), clean('safe')],
  },
  {
    name: 'change a column type to json',
    sql: 'ALTER TABLE ports ALTER COLUMN meta TYPE json USING meta::json;',
    expect: [finding('change-column-type', 'breaking', ['prefer-jsonb'])],
  },
];
