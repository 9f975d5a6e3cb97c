/** Constraint cases: NOT VALID, VALIDATE, SET NOT NULL, UNIQUE / PRIMARY KEY USING INDEX, EXCLUDE. */
import { clean, type CorpusCase, finding, warned } from './case.js';

export const constraintCases: CorpusCase[] = [
  {
    name: 'add a foreign key without NOT VALID',
    sql: 'ALTER TABLE voyages ADD CONSTRAINT voyages_vessel_id_fkey FOREIGN KEY (vessel_id) REFERENCES vessels (id);',
    expect: [finding('add-foreign-key-without-not-valid', 'locking')],
  },
  {
    name: 'add a foreign key NOT VALID',
    sql:
      'ALTER TABLE voyages ADD CONSTRAINT voyages_vessel_id_fkey FOREIGN KEY (vessel_id) REFERENCES vessels (id) ' +
      'NOT VALID;',
    expect: [clean('backward-compatible')],
    source: 'strong_migrations: add_foreign_key validate: false',
  },
  {
    name: 'validate a constraint in its own migration',
    sql: 'ALTER TABLE voyages VALIDATE CONSTRAINT voyages_vessel_id_fkey;',
    expect: [clean('backward-compatible')],
  },
  {
    name: 'validate in the same transaction that added the constraint',
    sql:
      'ALTER TABLE voyages ADD CONSTRAINT voyages_vessel_id_fkey FOREIGN KEY (vessel_id) REFERENCES vessels (id) ' +
      'NOT VALID;\nALTER TABLE voyages VALIDATE CONSTRAINT voyages_vessel_id_fkey;',
    expect: [clean('backward-compatible'), finding('validate-in-ddl-transaction', 'locking')],
  },
  {
    name: 'add a column with an inline REFERENCES (add_reference)',
    sql: 'ALTER TABLE merge_requests ADD COLUMN milestone_id integer REFERENCES milestones (id) ON DELETE SET NULL;',
    expect: [finding('add-foreign-key-without-not-valid', 'locking', ['prefer-bigint-key'])],
    source: 'gitlabhq/gitlabhq: add_reference / add_concurrent_foreign_key',
  },
  {
    name: 'create a table with a foreign key to an existing table',
    sql:
      'CREATE TABLE berth_assignments (\n  id bigint PRIMARY KEY,\n  berth_id bigint NOT NULL REFERENCES berths ' +
      '(id)\n);',
    expect: [clean('safe')],
  },
  {
    name: 'create a table with a foreign key, without lock_timeout',
    sql:
      'CREATE TABLE berth_assignments (\n  id bigint PRIMARY KEY,\n  berth_id bigint NOT NULL REFERENCES berths ' +
      '(id)\n);',
    options: {},
    expect: [finding('ddl-without-lock-timeout', 'locking')],
  },
  {
    name: 'add a CHECK without NOT VALID',
    sql: 'ALTER TABLE vessels ADD CONSTRAINT vessels_tonnage_positive CHECK (tonnage > 0);',
    expect: [finding('add-check-without-not-valid', 'locking')],
  },
  {
    name: 'add a CHECK NOT VALID',
    sql: 'ALTER TABLE vessels ADD CONSTRAINT vessels_tonnage_positive CHECK (tonnage > 0) NOT VALID;',
    expect: [clean('backward-compatible')],
  },
  {
    name: 'add a column with an inline CHECK',
    sql: 'ALTER TABLE vessels ADD COLUMN beam numeric CHECK (beam > 0);',
    expect: [finding('add-check-without-not-valid', 'locking')],
  },
  {
    name: 'SET NOT NULL without a validated CHECK',
    sql: 'ALTER TABLE vessels ALTER COLUMN imo_number SET NOT NULL;',
    expect: [finding('set-not-null-without-check', 'locking')],
  },
  {
    name: 'SET NOT NULL after validating the CHECK added by an earlier migration',
    sql:
      'ALTER TABLE vessels VALIDATE CONSTRAINT vessels_imo_number_not_null;\nALTER TABLE vessels ALTER COLUMN ' +
      'imo_number SET NOT NULL;\nALTER TABLE vessels DROP CONSTRAINT vessels_imo_number_not_null;',
    expect: [clean('backward-compatible'), clean('backward-compatible'), clean('backward-compatible')],
    source:
      'strong_migrations: change_column_null recipe (validate, then change_column_null, then remove_check_constraint)',
  },
  {
    name: 'CHECK added NOT VALID and validated in one transaction before SET NOT NULL',
    sql:
      'ALTER TABLE users ADD CONSTRAINT users_email_null CHECK (email IS NOT NULL) NOT VALID;\nALTER TABLE users ' +
      'VALIDATE CONSTRAINT users_email_null;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;',
    expect: [
      clean('backward-compatible'),
      finding('validate-in-ddl-transaction', 'locking'),
      clean('backward-compatible'),
    ],
  },
  {
    name: 'SET NOT NULL on another column than the validated CHECK',
    sql:
      'ALTER TABLE users VALIDATE CONSTRAINT users_email_not_null;\nALTER TABLE users ALTER COLUMN username SET ' +
      'NOT NULL;',
    expect: [clean('backward-compatible'), finding('set-not-null-without-check', 'locking')],
  },
  {
    name: 'SET NOT NULL on a table created in the same file',
    sql:
      'CREATE TABLE pilots (id bigint PRIMARY KEY, licence text);\nALTER TABLE pilots ALTER COLUMN licence SET ' +
      'NOT NULL;',
    expect: [clean('safe'), clean('safe')],
  },
  {
    name: 'add a UNIQUE constraint',
    sql: 'ALTER TABLE accounts ADD CONSTRAINT accounts_uri_key UNIQUE (uri);',
    expect: [finding('add-unique-without-using-index', 'locking')],
  },
  {
    name: 'add a UNIQUE constraint USING an index built CONCURRENTLY',
    sql:
      'CREATE UNIQUE INDEX CONCURRENTLY accounts_uri_key ON accounts (uri);\nALTER TABLE accounts ADD CONSTRAINT ' +
      'accounts_uri_key UNIQUE USING INDEX accounts_uri_key;',
    expect: [warned('backward-compatible', ['concurrent-index-without-if-not-exists']), clean('backward-compatible')],
  },
  {
    name: 'add a PRIMARY KEY',
    sql: 'ALTER TABLE user_actions ADD PRIMARY KEY (id);',
    expect: [finding('add-primary-key-without-using-index', 'locking')],
  },
  {
    name: 'add a PRIMARY KEY USING INDEX',
    sql: 'ALTER TABLE user_actions ADD CONSTRAINT user_actions_pkey PRIMARY KEY USING INDEX user_actions_id_idx;',
    expect: [clean('backward-compatible')],
  },
  {
    name: 'add a column with an inline UNIQUE',
    sql: 'ALTER TABLE vessels ADD COLUMN mmsi bigint UNIQUE;',
    expect: [finding('add-unique-without-using-index', 'locking')],
  },
  {
    name: 'add an EXCLUDE constraint',
    sql:
      'ALTER TABLE berth_bookings ADD CONSTRAINT berth_bookings_no_overlap EXCLUDE USING gist (berth_id WITH =, ' +
      'during WITH &&);',
    expect: [finding('add-exclusion-constraint', 'locking')],
  },
  {
    name: 'EXCLUDE constraint in a new table',
    sql:
      'CREATE TABLE berth_bookings (\n  berth_id bigint NOT NULL,\n  during tstzrange NOT NULL,\n  EXCLUDE USING ' +
      'gist (berth_id WITH =, during WITH &&)\n);',
    expect: [clean('safe')],
  },
  {
    name: 'drop a constraint',
    sql: 'ALTER TABLE vessels DROP CONSTRAINT vessels_tonnage_positive;',
    expect: [clean('backward-compatible')],
  },
  {
    name: 'hygiene of a new table: serial key, int foreign key, varchar, json, timestamp',
    sql:
      'CREATE TABLE port_calls (\n  id serial PRIMARY KEY,\n  vessel_id integer REFERENCES vessels (id),\n  ' +
      'notes varchar(255),\n  payload json,\n  arrived_at timestamp\n);',
    expect: [
      warned('safe', [
        'prefer-bigint-key',
        'prefer-bigint-key',
        'prefer-identity',
        'prefer-text',
        'prefer-jsonb',
        'prefer-timestamptz',
      ]),
    ],
  },
  {
    name: 'an int foreign key declared at table level',
    sql:
      'CREATE TABLE cargo_items (\n  id bigint PRIMARY KEY,\n  voyage_id int NOT NULL,\n  CONSTRAINT ' +
      'cargo_items_voyage_fk FOREIGN KEY (voyage_id) REFERENCES voyages (id)\n);',
    expect: [warned('safe', ['prefer-bigint-key'])],
  },
];
