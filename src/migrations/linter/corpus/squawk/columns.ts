/** Squawk-style column cases: defaults, required fields, serial, drops, renames, type changes across files. */
import { clean, finding, warned } from '../case.js';
import { file, type SequenceCase } from './sequence.js';

export const columnSequences: SequenceCase[] = [
  {
    name: 'add a column with a volatile default',
    squawk: 'adding-field-with-default',
    files: [
      file(
        'ALTER TABLE app_user ADD COLUMN api_token uuid DEFAULT gen_random_uuid();',
        finding('add-column-volatile-default', 'locking'),
      ),
    ],
  },
  {
    name: 'add a column with a constant default',
    squawk: 'adding-field-with-default',
    files: [file('ALTER TABLE app_user ADD COLUMN active boolean DEFAULT true;', clean('backward-compatible'))],
  },
  {
    name: 'add a column defaulting to now()',
    squawk: 'adding-field-with-default',
    files: [file('ALTER TABLE app_user ADD COLUMN seen_at timestamptz DEFAULT now();', clean('backward-compatible'))],
  },
  {
    name: 'add a column defaulting to now(123)',
    squawk: 'adding-field-with-default',
    files: [
      file(
        'ALTER TABLE app_user ADD COLUMN seen_at timestamptz DEFAULT now(123);',
        finding('add-column-volatile-default', 'locking'),
      ),
    ],
  },
  {
    name: 'add a column defaulting to a function the linter does not know',
    squawk: 'adding-field-with-default',
    files: [
      file(
        'ALTER TABLE recipe ADD COLUMN slug text DEFAULT make_slug();',
        finding('add-column-volatile-default', 'locking'),
      ),
    ],
  },
  {
    name: 'add a stored generated column',
    squawk: 'adding-field-with-default',
    files: [
      file(
        'ALTER TABLE recipe ADD COLUMN title_lower text GENERATED ALWAYS AS (lower(title)) STORED;',
        finding('add-column-stored-generated', 'locking'),
      ),
    ],
  },
  {
    name: 'add a required column without a default',
    squawk: 'adding-required-field',
    files: [
      file(
        'ALTER TABLE recipe ADD COLUMN servings bigint NOT NULL;',
        finding('add-column-not-null-no-default', 'breaking'),
      ),
    ],
  },
  {
    name: 'add a required column with a constant default',
    squawk: 'adding-required-field',
    files: [file("ALTER TABLE recipe ADD COLUMN cuisine text NOT NULL DEFAULT '';", clean('backward-compatible'))],
  },
  {
    name: 'add a serial column to an existing table',
    squawk: 'adding-serial-primary-key-field',
    files: [
      file('ALTER TABLE event_log ADD COLUMN seq serial;', finding('add-column-serial', 'locking', ['prefer-bigint'])),
    ],
  },
  {
    name: 'drop a column',
    squawk: 'ban-drop-column',
    files: [file('ALTER TABLE app_user DROP COLUMN status;', finding('drop-column', 'data-loss'))],
  },
  {
    name: 'drop a column an earlier migration added',
    squawk: 'ban-drop-column',
    files: [
      file('ALTER TABLE app_user ADD COLUMN legacy_flag boolean;', clean('backward-compatible')),
      file('ALTER TABLE app_user DROP COLUMN legacy_flag;', finding('drop-column', 'data-loss')),
    ],
  },
  {
    name: 'drop NOT NULL',
    squawk: 'ban-drop-not-null',
    files: [file('ALTER TABLE app_user ALTER COLUMN created DROP NOT NULL;', finding('drop-not-null', 'breaking'))],
  },
  {
    name: 'rename a column',
    squawk: 'renaming-column',
    files: [file('ALTER TABLE recipe RENAME COLUMN title TO name;', finding('rename-column', 'breaking'))],
  },
  {
    name: 'rename a column added in the same file',
    squawk: 'renaming-column',
    files: [
      file(
        'ALTER TABLE recipe ADD COLUMN subtitle text;\nALTER TABLE recipe RENAME COLUMN subtitle TO tagline;',
        clean('backward-compatible'),
        clean('backward-compatible'),
      ),
    ],
  },
  {
    name: 'varchar(5) declared in 0001 becomes text',
    squawk: 'changing-column-type',
    files: [file('ALTER TABLE app_user ALTER COLUMN nickname TYPE text;', clean('backward-compatible'))],
  },
  {
    name: 'varchar(5) declared in 0001 grows to varchar(10)',
    squawk: 'changing-column-type',
    files: [
      file(
        'ALTER TABLE app_user ALTER COLUMN nickname TYPE varchar(10);',
        warned('backward-compatible', ['prefer-text']),
      ),
    ],
  },
  {
    name: 'varchar(5) declared in 0001 shrinks to varchar(3)',
    squawk: 'changing-column-type',
    files: [
      file(
        'ALTER TABLE app_user ALTER COLUMN nickname TYPE varchar(3);',
        finding('change-column-type', 'breaking', ['prefer-text']),
      ),
    ],
  },
  {
    name: 'numeric(4,2) declared in 0001 gains precision',
    squawk: 'changing-column-type',
    files: [file('ALTER TABLE recipe ALTER COLUMN rating TYPE numeric(6,2);', clean('backward-compatible'))],
  },
  {
    name: 'bigint declared in 0001 becomes text',
    squawk: 'changing-column-type',
    files: [file('ALTER TABLE recipe ALTER COLUMN view_count TYPE text;', finding('change-column-type', 'breaking'))],
  },
  {
    name: 'a column added in 0002 as varchar(20) is widened in 0003, then narrowed in 0004',
    squawk: 'changing-column-type',
    files: [
      file('ALTER TABLE recipe ADD COLUMN source varchar(20);', warned('backward-compatible', ['prefer-text'])),
      file('ALTER TABLE recipe ALTER COLUMN source TYPE varchar(40);', warned('backward-compatible', ['prefer-text'])),
      file(
        'ALTER TABLE recipe ALTER COLUMN source TYPE varchar(30);',
        finding('change-column-type', 'breaking', ['prefer-text']),
      ),
    ],
  },
  {
    name: 'a column renamed in 0002 keeps its declared type for 0003',
    squawk: 'changing-column-type',
    files: [
      file('ALTER TABLE app_user RENAME COLUMN nickname TO handle;', finding('rename-column', 'breaking')),
      file('ALTER TABLE app_user ALTER COLUMN handle TYPE text;', clean('backward-compatible')),
    ],
  },
];
