/**
 * Whole migrations modelled on how large open-source applications write them (the SQL their
 * frameworks emit), plus Slipway's own harbor domain. Patterns, not copies.
 */
import { clean, type CorpusCase, finding, warned } from './case.js';

export const realWorldCases: CorpusCase[] = [
  {
    name: 'create a join table with foreign keys and a unique index (Rails create_table)',
    sql:
      'CREATE TABLE account_notes (\n' +
      '  id bigserial PRIMARY KEY,\n' +
      '  account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,\n' +
      '  target_account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,\n' +
      '  comment text NOT NULL,\n' +
      '  created_at timestamp NOT NULL,\n' +
      '  updated_at timestamp NOT NULL\n' +
      ');\n' +
      'CREATE UNIQUE INDEX index_account_notes_on_account_id_and_target_account_id ON account_notes (account_id, ' +
      'target_account_id);',
    expect: [warned('safe', ['prefer-identity', 'prefer-timestamptz', 'prefer-timestamptz']), clean('safe')],
    source: 'mastodon/mastodon db/migrate: create_table :account_notes with t.references',
  },
  {
    name: 'Django sqlmigrate output: AddField with db_index inside BEGIN/COMMIT',
    sql:
      'BEGIN;\n--\n-- Add field platform to project\n--\n' +
      'ALTER TABLE "sentry_project" ADD COLUMN "platform" varchar(64) NULL;\n' +
      'CREATE INDEX "sentry_project_platform_idx" ON "sentry_project" ("platform");\n' +
      'COMMIT;',
    expect: [
      finding('transaction-control', 'locking'),
      warned('backward-compatible', ['prefer-text']),
      finding('create-index-not-concurrently', 'locking'),
      finding('transaction-control', 'locking'),
    ],
    source: 'getsentry/sentry: django sqlmigrate of AddField(db_index=True)',
  },
  {
    name: 'add a nullable timestamp and a partial index CONCURRENTLY',
    sql:
      'ALTER TABLE topics ADD COLUMN bannered_until timestamp;\n' +
      'CREATE INDEX CONCURRENTLY index_topics_on_bannered_until ON topics (bannered_until) WHERE bannered_until IS ' +
      'NOT NULL;',
    expect: [
      warned('backward-compatible', ['prefer-timestamptz']),
      warned('backward-compatible', ['concurrent-index-without-if-not-exists']),
    ],
    source: 'discourse/discourse db/migrate: add_column + add_index algorithm: :concurrently',
  },
  {
    name: 'expand step of a NOT NULL column, done right',
    sql:
      "SET lock_timeout = '2s';\n" +
      'ALTER TABLE vessels ADD COLUMN imo_number text;\n' +
      'ALTER TABLE vessels ADD CONSTRAINT vessels_imo_number_not_null CHECK (imo_number IS NOT NULL) NOT VALID;',
    options: {},
    expect: [clean('safe'), clean('backward-compatible'), clean('backward-compatible')],
  },
  {
    name: 'int → bigint conversion: shadow column kept in sync by a trigger',
    sql:
      'ALTER TABLE ci_build_needs ADD COLUMN build_id_convert_to_bigint bigint NOT NULL DEFAULT 0;\n' +
      'CREATE OR REPLACE FUNCTION trigger_ci_build_needs_bigint() RETURNS trigger LANGUAGE plpgsql AS $$\n' +
      'BEGIN\n  NEW.build_id_convert_to_bigint := NEW.build_id;\n  RETURN NEW;\nEND;\n$$;\n' +
      'CREATE TRIGGER trigger_ci_build_needs_bigint BEFORE INSERT OR UPDATE ON ci_build_needs\n' +
      '  FOR EACH ROW EXECUTE FUNCTION trigger_ci_build_needs_bigint();',
    expect: [clean('backward-compatible'), clean('backward-compatible'), clean('backward-compatible')],
    source: 'gitlabhq/gitlabhq: initialize_conversion_of_integer_to_bigint',
  },
  {
    name: 'Rails add_reference with index and foreign key in one migration',
    sql:
      'ALTER TABLE statuses ADD COLUMN poll_id bigint;\n' +
      'CREATE INDEX index_statuses_on_poll_id ON statuses (poll_id);\n' +
      'ALTER TABLE statuses ADD CONSTRAINT fk_rails_3e0d9f1115 FOREIGN KEY (poll_id) REFERENCES polls (id) ON ' +
      'DELETE SET NULL;',
    expect: [
      clean('backward-compatible'),
      finding('create-index-not-concurrently', 'locking'),
      finding('add-foreign-key-without-not-valid', 'locking'),
    ],
    source: 'mastodon/mastodon: add_reference :statuses, :poll, foreign_key: true (before strong_migrations)',
  },
  {
    name: 'the same reference added the online way',
    sql:
      'ALTER TABLE statuses ADD COLUMN poll_id bigint;\n' +
      'CREATE INDEX CONCURRENTLY index_statuses_on_poll_id ON statuses (poll_id);\n' +
      'ALTER TABLE statuses ADD CONSTRAINT fk_rails_3e0d9f1115 FOREIGN KEY (poll_id) REFERENCES polls (id) ON ' +
      'DELETE SET NULL NOT VALID;',
    expect: [
      clean('backward-compatible'),
      warned('backward-compatible', ['concurrent-index-without-if-not-exists']),
      clean('backward-compatible'),
    ],
    source: 'mastodon/mastodon: add_reference algorithm: :concurrently + add_foreign_key validate: false',
  },
  {
    name: 'harbor-quote: add a quote currency with a constant default and a CHECK NOT VALID',
    sql:
      "ALTER TABLE quotes ADD COLUMN currency char(3) NOT NULL DEFAULT 'EUR';\n" +
      "ALTER TABLE quotes ADD CONSTRAINT quotes_currency_iso CHECK (currency ~ '^[A-Z]{3}$') NOT VALID;",
    expect: [warned('backward-compatible', ['prefer-text']), clean('backward-compatible')],
  },
  {
    name: 'comment, extension and view',
    sql:
      "COMMENT ON COLUMN vessels.tonnage IS 'gross tonnage';\n" +
      'CREATE EXTENSION IF NOT EXISTS pgcrypto;\n' +
      'CREATE VIEW vessels_at_sea AS SELECT id, name FROM vessels WHERE berth_id IS NULL;\n' +
      'CREATE OR REPLACE VIEW active_vessels AS SELECT * FROM vessels WHERE retired_at IS NULL;',
    expect: [clean('safe'), clean('safe'), clean('safe'), clean('backward-compatible')],
  },
  {
    name: 'a read-only statement',
    sql: 'SELECT count(*) FROM vessels;',
    expect: [clean('safe')],
  },
  {
    name: 'Django RemoveField emits DROP COLUMN CASCADE',
    sql: 'BEGIN;\nALTER TABLE "sentry_organization" DROP COLUMN "flags_legacy" CASCADE;\nCOMMIT;',
    expect: [
      finding('transaction-control', 'locking'),
      finding('drop-column', 'data-loss'),
      finding('transaction-control', 'locking'),
    ],
    source: 'getsentry/sentry: django RemoveField',
  },
  {
    name: 'Rails change_column_null true → false on a big table',
    sql: 'ALTER TABLE "users" ALTER COLUMN "email" SET NOT NULL;',
    expect: [finding('set-not-null-without-check', 'locking')],
    source: 'discourse/discourse: change_column_null',
  },
];
