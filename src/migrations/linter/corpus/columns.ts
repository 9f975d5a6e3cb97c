/** Column cases: renames, drops, NOT NULL, defaults, serial / identity / generated columns. */
import { allowed, clean, type CorpusCase, finding, warned } from './case.js';

export const columnCases: CorpusCase[] = [
  {
    name: 'rename a column of an existing table',
    sql: 'ALTER TABLE vessels RENAME COLUMN tonnage TO gross_tonnage;',
    expect: [finding('rename-column', 'breaking')],
  },
  {
    name: 'rename a column of a table created in the same file',
    sql: 'CREATE TABLE berths (id bigint PRIMARY KEY, label text);\nALTER TABLE berths RENAME COLUMN label TO name;',
    expect: [clean('safe'), clean('safe')],
  },
  {
    name: 'rename a column added earlier in the same file',
    sql: 'ALTER TABLE vessels ADD COLUMN callsign text;\nALTER TABLE vessels RENAME COLUMN callsign TO call_sign;',
    expect: [clean('backward-compatible'), clean('backward-compatible')],
  },
  {
    name: 'rename a column (ActiveRecord rename_column)',
    sql: 'ALTER TABLE "accounts" RENAME COLUMN "shared_inbox_url" TO "inbox_url";',
    expect: [finding('rename-column', 'breaking')],
    source: 'mastodon/mastodon db/migrate: rename_column on accounts',
  },
  {
    name: 'rename a column with UTF-8 identifiers',
    sql: 'ALTER TABLE "häfen" RENAME COLUMN "größe" TO "fläche";',
    expect: [finding('rename-column', 'breaking')],
  },
  {
    name: 'drop a column',
    sql: 'ALTER TABLE vessels DROP COLUMN legacy_code;',
    expect: [finding('drop-column', 'data-loss')],
  },
  {
    name: 'drop a column IF EXISTS CASCADE in a post-deploy migration',
    sql: 'ALTER TABLE ci_builds DROP COLUMN IF EXISTS coverage_regex CASCADE;',
    expect: [finding('drop-column', 'data-loss')],
    source: 'gitlabhq/gitlabhq db/post_migrate: remove_column after ignore_column',
  },
  {
    name: 'drop a column added earlier in the same file',
    sql: 'ALTER TABLE vessels ADD COLUMN tmp_rank int;\nALTER TABLE vessels DROP COLUMN tmp_rank;',
    expect: [warned('backward-compatible', ['prefer-bigint']), clean('backward-compatible')],
  },
  {
    name: 'add a nullable column',
    sql: 'ALTER TABLE vessels ADD COLUMN flag_state text;',
    expect: [clean('backward-compatible')],
  },
  {
    name: 'add a NOT NULL column without a default',
    sql: 'ALTER TABLE vessels ADD COLUMN imo_number text NOT NULL;',
    expect: [finding('add-column-not-null-no-default', 'breaking')],
  },
  {
    name: 'add a NOT NULL column with a constant default',
    sql: 'ALTER TABLE users ADD COLUMN approved boolean NOT NULL DEFAULT true;',
    expect: [clean('backward-compatible')],
    source: 'mastodon/mastodon db/migrate/20190307234537_add_approved_to_users.rb (add_column_with_default)',
  },
  {
    name: 'add a column defaulting to now() (stable: stored once)',
    sql: 'ALTER TABLE voyages ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();',
    expect: [clean('backward-compatible')],
  },
  {
    name: 'add a column defaulting to CURRENT_TIMESTAMP',
    sql: 'ALTER TABLE voyages ADD COLUMN updated_at timestamptz DEFAULT CURRENT_TIMESTAMP;',
    expect: [clean('backward-compatible')],
  },
  {
    name: 'add a column with an immutable function default',
    sql: "ALTER TABLE ports ADD COLUMN region_code text DEFAULT upper('eu');",
    expect: [clean('backward-compatible')],
  },
  {
    name: 'add a column with DEFAULT NULL',
    sql: 'ALTER TABLE ports ADD COLUMN closed_at timestamptz DEFAULT NULL;',
    expect: [clean('backward-compatible')],
  },
  {
    name: 'add a column defaulting to gen_random_uuid()',
    sql: 'ALTER TABLE vessels ADD COLUMN public_id uuid NOT NULL DEFAULT gen_random_uuid();',
    expect: [finding('add-column-volatile-default', 'locking')],
  },
  {
    name: 'add a column defaulting to clock_timestamp()',
    sql: 'ALTER TABLE events ADD COLUMN recorded_at timestamptz DEFAULT clock_timestamp();',
    expect: [finding('add-column-volatile-default', 'locking')],
  },
  {
    name: 'add a column with random() inside an expression',
    sql: 'ALTER TABLE ports ADD COLUMN shard int DEFAULT (random() * 16)::int;',
    expect: [finding('add-column-volatile-default', 'locking', ['prefer-bigint'])],
  },
  {
    name: 'add a column defaulting to uuid_generate_v4()',
    sql: 'ALTER TABLE topics ADD COLUMN external_id uuid DEFAULT uuid_generate_v4();',
    expect: [finding('add-column-volatile-default', 'locking')],
  },
  {
    name: 'add a column defaulting to an unknown function (assumed volatile)',
    sql: "ALTER TABLE vessels ADD COLUMN slug text DEFAULT make_slug('vessel');",
    expect: [finding('add-column-volatile-default', 'locking')],
  },
  {
    name: 'add a serial column to an existing table',
    sql: 'ALTER TABLE cargo ADD COLUMN position serial;',
    expect: [finding('add-column-serial', 'locking', ['prefer-bigint'])],
  },
  {
    name: 'add a bigserial primary key to an existing table',
    sql: 'ALTER TABLE cargo ADD COLUMN id bigserial PRIMARY KEY;',
    expect: [finding('add-column-serial', 'locking', ['add-primary-key-without-using-index'])],
  },
  {
    name: 'add an identity column to an existing table',
    sql: 'ALTER TABLE cargo ADD COLUMN line_no bigint GENERATED ALWAYS AS IDENTITY;',
    expect: [finding('add-column-identity', 'locking')],
  },
  {
    name: 'add a stored generated column to an existing table',
    sql:
      "ALTER TABLE vessels ADD COLUMN name_search tsvector GENERATED ALWAYS AS (to_tsvector('simple', name)) " +
      'STORED;',
    expect: [finding('add-column-stored-generated', 'locking')],
  },
  {
    name: 'identity and generated columns in a new table',
    sql:
      'CREATE TABLE manifests (\n  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n  weight_kg numeric NOT ' +
      'NULL,\n  weight_t numeric GENERATED ALWAYS AS (weight_kg / 1000) STORED\n);',
    expect: [clean('safe')],
  },
  {
    name: 'add a NOT NULL column to a table created in the same file',
    sql: 'CREATE TABLE docks (id bigint PRIMARY KEY);\nALTER TABLE docks ADD COLUMN name text NOT NULL;',
    expect: [clean('safe'), clean('safe')],
  },
  {
    name: 'drop NOT NULL',
    sql: 'ALTER TABLE vessels ALTER COLUMN owner_id DROP NOT NULL;',
    expect: [finding('drop-not-null', 'breaking')],
  },
  {
    name: 'drop NOT NULL of a column added in the same file',
    sql:
      'ALTER TABLE vessels ADD COLUMN draft numeric NOT NULL DEFAULT 0;\nALTER TABLE vessels ALTER COLUMN draft ' +
      'DROP NOT NULL;',
    expect: [clean('backward-compatible'), clean('backward-compatible')],
  },
  {
    name: 'drop NOT NULL, allowed after every release tolerates NULL',
    sql:
      '-- slipway: allow drop-not-null because 2.4 and later render a missing owner\nALTER TABLE vessels ALTER ' +
      'COLUMN owner_id DROP NOT NULL;',
    expect: [allowed('drop-not-null', 'breaking', '2.4 and later render a missing owner')],
  },
  {
    name: 'set a default on an existing column',
    sql: "ALTER TABLE vessels ALTER COLUMN status SET DEFAULT 'active';",
    expect: [clean('backward-compatible')],
  },
  {
    name: 'set a volatile default on an existing column (new rows only)',
    sql: 'ALTER TABLE vessels ALTER COLUMN public_id SET DEFAULT gen_random_uuid();',
    expect: [clean('backward-compatible')],
  },
  {
    name: 'add a varchar(n) column (Django AddField)',
    sql: 'ALTER TABLE "sentry_project" ADD COLUMN "platform" varchar(64) NULL;',
    expect: [warned('backward-compatible', ['prefer-text'])],
    source: 'getsentry/sentry south/django migrations: AddField CharField(max_length=64, null=True)',
  },
];
