/**
 * Squawk-style constraint cases: foreign keys, NOT NULL through a CHECK across files, CHECK, UNIQUE,
 * PRIMARY KEY, domains.
 */
import { clean, finding, warned } from '../case.js';
import { file, type SequenceCase } from './sequence.js';

const notValid = 'ALTER TABLE recipe ADD CONSTRAINT recipe_views_present CHECK (view_count IS NOT NULL) NOT VALID;';
const validate = 'ALTER TABLE recipe VALIDATE CONSTRAINT recipe_views_present;';
const setNotNull = 'ALTER TABLE recipe ALTER COLUMN view_count SET NOT NULL;';

export const constraintSequences: SequenceCase[] = [
  {
    name: 'add a foreign key validated at once',
    squawk: 'adding-foreign-key-constraint',
    files: [
      file(
        'ALTER TABLE recipe ADD CONSTRAINT recipe_author_fk FOREIGN KEY (author_id) REFERENCES app_user (id);',
        finding('add-foreign-key-without-not-valid', 'locking'),
      ),
    ],
  },
  {
    name: 'add a foreign key NOT VALID, validate it in the next migration',
    squawk: 'adding-foreign-key-constraint',
    files: [
      file(
        'ALTER TABLE recipe ADD CONSTRAINT recipe_author_fk FOREIGN KEY (author_id) REFERENCES app_user (id) ' +
          'NOT VALID;',
        clean('backward-compatible'),
      ),
      file('ALTER TABLE recipe VALIDATE CONSTRAINT recipe_author_fk;', clean('backward-compatible')),
    ],
  },
  {
    name: 'add a column with an inline REFERENCES',
    squawk: 'adding-foreign-key-constraint',
    files: [
      file(
        'ALTER TABLE event_log ADD COLUMN user_id bigint REFERENCES app_user (id);',
        finding('add-foreign-key-without-not-valid', 'locking'),
      ),
    ],
  },
  {
    name: 'a new table referencing an existing one',
    squawk: 'adding-foreign-key-constraint',
    files: [
      file(
        'CREATE TABLE favourite (id bigint PRIMARY KEY, user_id bigint NOT NULL REFERENCES app_user (id));',
        clean('safe'),
      ),
    ],
  },
  {
    name: 'SET NOT NULL with no check',
    squawk: 'adding-not-nullable-field',
    files: [file(setNotNull, finding('set-not-null-without-check', 'locking'))],
  },
  {
    name: 'CHECK NOT VALID in 0002, VALIDATE in 0003, SET NOT NULL in 0004',
    squawk: 'adding-not-nullable-field',
    files: [
      file(notValid, clean('backward-compatible')),
      file(validate, clean('backward-compatible')),
      file(setNotNull, clean('backward-compatible')),
    ],
  },
  {
    name: 'CHECK NOT VALID in 0002, SET NOT NULL in 0003 without validating',
    squawk: 'adding-not-nullable-field',
    files: [
      file(notValid, clean('backward-compatible')),
      file(setNotNull, finding('set-not-null-without-check', 'locking')),
    ],
  },
  {
    name: 'a validated check on another column does not cover SET NOT NULL',
    squawk: 'adding-not-nullable-field',
    files: [
      file(notValid, clean('backward-compatible')),
      file(validate, clean('backward-compatible')),
      file('ALTER TABLE recipe ALTER COLUMN title SET NOT NULL;', finding('set-not-null-without-check', 'locking')),
    ],
  },
  {
    name: 'a table created in 0002 with its CHECK in place, SET NOT NULL in 0003',
    squawk: 'adding-not-nullable-field',
    files: [
      file(
        'CREATE TABLE shopping_list (id bigint PRIMARY KEY, owner_id bigint, ' +
          'CONSTRAINT shopping_list_owner_present CHECK (owner_id IS NOT NULL));',
        clean('safe'),
      ),
      file('ALTER TABLE shopping_list ALTER COLUMN owner_id SET NOT NULL;', clean('backward-compatible')),
    ],
  },
  {
    name: 'VALIDATE in the file that added the CHECK, then SET NOT NULL',
    squawk: 'adding-not-nullable-field',
    files: [
      file(`${notValid}\n${validate}`, clean('backward-compatible'), finding('validate-in-ddl-transaction', 'locking')),
      file(setNotNull, clean('backward-compatible')),
    ],
  },
  {
    name: 'a CHECK dropped in 0004 no longer covers SET NOT NULL in 0005',
    squawk: 'adding-not-nullable-field',
    files: [
      file(notValid, clean('backward-compatible')),
      file(validate, clean('backward-compatible')),
      file('ALTER TABLE recipe DROP CONSTRAINT recipe_views_present;', clean('backward-compatible')),
      file(setNotNull, finding('set-not-null-without-check', 'locking')),
    ],
  },
  {
    name: 'add a CHECK validated at once',
    squawk: 'constraint-missing-not-valid',
    files: [
      file(
        'ALTER TABLE recipe ADD CONSTRAINT recipe_rating_range CHECK (rating BETWEEN 0 AND 5);',
        finding('add-check-without-not-valid', 'locking'),
      ),
    ],
  },
  {
    name: 'add a CHECK NOT VALID, validate it later',
    squawk: 'constraint-missing-not-valid',
    files: [
      file(
        'ALTER TABLE recipe ADD CONSTRAINT recipe_rating_range CHECK (rating BETWEEN 0 AND 5) NOT VALID;',
        clean('backward-compatible'),
      ),
      file('ALTER TABLE recipe VALIDATE CONSTRAINT recipe_rating_range;', clean('backward-compatible')),
    ],
  },
  {
    name: 'add a UNIQUE constraint that builds its own index',
    squawk: 'disallowed-unique-constraint',
    files: [
      file(
        'ALTER TABLE app_user ADD CONSTRAINT app_user_email_key UNIQUE (email);',
        finding('add-unique-without-using-index', 'locking'),
      ),
    ],
  },
  {
    name: 'build the unique index concurrently, then add the constraint USING INDEX',
    squawk: 'disallowed-unique-constraint',
    files: [
      file(
        'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS app_user_email_idx ON app_user (email);',
        clean('backward-compatible'),
      ),
      file(
        'ALTER TABLE app_user ADD CONSTRAINT app_user_email_key UNIQUE USING INDEX app_user_email_idx;',
        clean('backward-compatible'),
      ),
    ],
  },
  {
    name: 'add a primary key that builds its own index',
    squawk: 'adding-serial-primary-key-field',
    files: [
      file('ALTER TABLE event_log ADD PRIMARY KEY (id);', finding('add-primary-key-without-using-index', 'locking')),
    ],
  },
  {
    name: 'build the primary key index concurrently, then add the key USING INDEX',
    squawk: 'adding-serial-primary-key-field',
    files: [
      file(
        'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS event_log_id_idx ON event_log (id);',
        clean('backward-compatible'),
      ),
      file(
        'ALTER TABLE event_log ADD CONSTRAINT event_log_pkey PRIMARY KEY USING INDEX event_log_id_idx;',
        clean('backward-compatible'),
      ),
    ],
  },
  {
    name: 'add a constraint to an existing domain',
    squawk: 'ban-alter-domain-with-add-constraint',
    files: [
      file(
        'ALTER DOMAIN positive_count ADD CONSTRAINT positive_count_check CHECK (VALUE > 0);',
        finding('add-domain-constraint-without-not-valid', 'locking'),
      ),
    ],
  },
  {
    name: 'create a domain with a constraint',
    squawk: 'ban-create-domain-with-constraint',
    files: [
      file(
        'CREATE DOMAIN rating_value AS numeric CHECK (VALUE BETWEEN 0 AND 5);',
        warned('safe', ['create-domain-with-constraint']),
      ),
    ],
  },
];
