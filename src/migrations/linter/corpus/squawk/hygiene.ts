/** Squawk-style type-choice, naming and validity cases: warnings and what PostgreSQL rejects. */
import { clean, finding, warned } from '../case.js';
import { file, type SequenceCase } from './sequence.js';

const long = (prefix: string) => `${prefix}_${'much_too_long_'.repeat(5)}`;

export const hygieneSequences: SequenceCase[] = [
  {
    name: 'integer and smallint columns that are not keys',
    squawk: 'prefer-bigint-over-int',
    files: [
      file(
        'CREATE TABLE stock (id bigint PRIMARY KEY, quantity integer, shelf smallint);',
        warned('safe', ['prefer-bigint', 'prefer-bigint']),
      ),
    ],
  },
  {
    name: 'a smallint column added to an existing table',
    squawk: 'prefer-bigint-over-smallint',
    files: [
      file('ALTER TABLE recipe ADD COLUMN prep_minutes smallint;', warned('backward-compatible', ['prefer-bigint'])),
    ],
  },
  {
    name: 'an integer key',
    squawk: 'prefer-big-int',
    files: [
      file(
        'CREATE TABLE ingredient (id integer PRIMARY KEY, recipe_id bigint REFERENCES recipe (id));',
        warned('safe', ['prefer-bigint-key']),
      ),
    ],
  },
  {
    name: 'a serial primary key in a new table',
    squawk: 'prefer-identity',
    files: [
      file(
        'CREATE TABLE ingredient (id serial PRIMARY KEY, name text);',
        warned('safe', ['prefer-identity', 'prefer-bigint-key']),
      ),
    ],
  },
  {
    name: 'a bigserial primary key in a new table',
    squawk: 'prefer-identity',
    files: [
      file('CREATE TABLE ingredient (id bigserial PRIMARY KEY, name text);', warned('safe', ['prefer-identity'])),
    ],
  },
  {
    name: 'an identity primary key',
    squawk: 'prefer-identity',
    files: [
      file('CREATE TABLE ingredient (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text);', clean('safe')),
    ],
  },
  {
    name: 'a varchar(255) column',
    squawk: 'prefer-text-field',
    files: [
      file('ALTER TABLE recipe ADD COLUMN summary varchar(255);', warned('backward-compatible', ['prefer-text'])),
    ],
  },
  {
    name: 'a char(2) column',
    squawk: 'ban-char-field',
    files: [file('CREATE TABLE country (code char(2) PRIMARY KEY, name text);', warned('safe', ['prefer-text']))],
  },
  {
    name: 'a timestamp without time zone',
    squawk: 'prefer-timestamptz',
    files: [
      file('ALTER TABLE recipe ADD COLUMN published timestamp;', warned('backward-compatible', ['prefer-timestamptz'])),
    ],
  },
  {
    name: 'names over 63 bytes',
    squawk: 'identifier-too-long',
    files: [
      file(
        `CREATE TABLE ${long('table')} (${long('column')} bigint);`,
        warned('safe', ['identifier-too-long', 'identifier-too-long']),
      ),
    ],
  },
  {
    name: 'a column declared twice',
    squawk: 'ban-duplicate-column-assignments',
    files: [file('CREATE TABLE pantry (a bigint, a text);', finding('duplicate-column', 'locking'))],
  },
  {
    name: 'a view naming a column twice',
    squawk: 'ban-duplicate-column-assignments',
    files: [file('CREATE VIEW pantry_view (a, a) AS SELECT 1, 2;', finding('duplicate-column', 'locking'))],
  },
  {
    name: 'an UPDATE assigning a column twice',
    squawk: 'ban-duplicate-column-assignments',
    files: [
      file("UPDATE app_user SET status = 'a', status = 'b' WHERE id = 1;", finding('duplicate-column', 'locking')),
    ],
  },
  {
    name: 'distinct columns and assignments',
    squawk: 'ban-duplicate-column-assignments',
    files: [
      file(
        "CREATE VIEW pantry_view (a, b) AS SELECT 1, 2;\nUPDATE app_user SET status = 'b' WHERE id = 1;",
        clean('safe'),
        clean('backward-compatible'),
      ),
    ],
  },
  {
    name: 'an enum value appended without BEFORE/AFTER',
    squawk: 'require-enum-value-ordering',
    files: [
      file(
        "ALTER TYPE paper_status ADD VALUE 'pending_review';",
        warned('backward-compatible', ['enum-value-without-position']),
      ),
    ],
  },
  {
    name: 'an enum value placed BEFORE another',
    squawk: 'require-enum-value-ordering',
    files: [
      file("ALTER TYPE paper_status ADD VALUE 'pending_review' BEFORE 'approved';", clean('backward-compatible')),
    ],
  },
];
