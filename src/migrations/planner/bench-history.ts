/**
 * A synthetic but realistic migration history for the planner benchmark (`bench/migrations.ts`)
 * and tests: per entity, ten migrations in the expand style a reviewer would approve (new
 * tables, nullable columns, indexes built concurrently, enums, foreign keys and checks added
 * NOT VALID then validated, views, functions, a trigger), each with a down script that restores
 * the schema exactly.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const entities = [
  'vessel',
  'berth',
  'voyage',
  'crew_member',
  'cargo',
  'port_call',
  'invoice',
  'inspection',
  'fuel_log',
  'charter',
];

type Template = (table: string, previous: string | null) => { name: string; up: string; down: string };

const templates: Template[] = [
  (t) => ({
    name: `create_${t}s`,
    up:
      `CREATE TABLE ${t}s (\n  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n  name text NOT NULL,\n  ` +
      `created_at timestamptz NOT NULL DEFAULT now()\n);\nCREATE UNIQUE INDEX ${t}s_name_key ON ${t}s ` +
      `(name);\nCOMMENT ON TABLE ${t}s IS 'one row per ${t.replace('_', ' ')}';\n`,
    down: `DROP TABLE ${t}s;\n`,
  }),
  (t) => ({
    name: `add_${t}s_notes`,
    up: `ALTER TABLE ${t}s ADD COLUMN notes text;\nALTER TABLE ${t}s ADD COLUMN updated_at timestamptz;\n`,
    down: `ALTER TABLE ${t}s DROP COLUMN updated_at;\nALTER TABLE ${t}s DROP COLUMN notes;\n`,
  }),
  (t) => ({
    name: `index_${t}s_created_at`,
    up: `CREATE INDEX CONCURRENTLY IF NOT EXISTS ${t}s_created_at_idx ON ${t}s (created_at);\n`,
    down: `DROP INDEX CONCURRENTLY IF EXISTS ${t}s_created_at_idx;\n`,
  }),
  (t) => ({
    name: `${t}_status`,
    up:
      `CREATE TYPE ${t}_status AS ENUM ('planned', 'active', 'closed');\nALTER TABLE ${t}s ADD COLUMN status ` +
      `${t}_status;\n`,
    down: `ALTER TABLE ${t}s DROP COLUMN status;\nDROP TYPE ${t}_status;\n`,
  }),
  (t, previous) => ({
    name: `${t}s_parent`,
    up:
      `ALTER TABLE ${t}s ADD COLUMN ${previous ?? t}_id bigint;\nALTER TABLE ${t}s ADD CONSTRAINT ` +
      `${t}s_${previous ?? t}_fk FOREIGN KEY (${previous ?? t}_id) REFERENCES ${previous ?? t}s (id) NOT VALID;\n`,
    down:
      `ALTER TABLE ${t}s DROP CONSTRAINT ${t}s_${previous ?? t}_fk;\nALTER TABLE ${t}s DROP COLUMN ` +
      `${previous ?? t}_id;\n`,
  }),
  (t, previous) => ({
    name: `validate_${t}s_parent`,
    up: `ALTER TABLE ${t}s VALIDATE CONSTRAINT ${t}s_${previous ?? t}_fk;\n`,
    down:
      `ALTER TABLE ${t}s DROP CONSTRAINT ${t}s_${previous ?? t}_fk;\nALTER TABLE ${t}s ADD CONSTRAINT ` +
      `${t}s_${previous ?? t}_fk FOREIGN KEY (${previous ?? t}_id) REFERENCES ${previous ?? t}s (id) NOT VALID;\n`,
  }),
  (t) => ({
    name: `${t}s_name_length`,
    up: `ALTER TABLE ${t}s ADD CONSTRAINT ${t}s_name_length CHECK (char_length(name) <= 200) NOT VALID;\n`,
    down: `ALTER TABLE ${t}s DROP CONSTRAINT ${t}s_name_length;\n`,
  }),
  (t) => ({
    name: `${t}_summary_view`,
    up:
      `CREATE VIEW ${t}_summary AS\n  SELECT status, count(*) AS total, max(created_at) AS latest\n  FROM ${t}s\n ` +
      ` GROUP BY status;\n`,
    down: `DROP VIEW ${t}_summary;\n`,
  }),
  (t) => ({
    name: `${t}_label_function`,
    up:
      `CREATE FUNCTION ${t}_label(${t}_id bigint) RETURNS text\n  LANGUAGE sql STABLE\n  AS $$ SELECT name || ' ` +
      `(' || coalesce(status::text, 'unknown') || ')' FROM ${t}s WHERE id = ${t}_id $$;\n`,
    down: `DROP FUNCTION ${t}_label(bigint);\n`,
  }),
  (t) => ({
    name: `${t}_events`,
    up: `${[
      [
        `CREATE TABLE ${t}_events (`,
        '  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,',
        `  ${t}_id bigint NOT NULL REFERENCES ${t}s (id),`,
        '  kind text NOT NULL,',
        '  at timestamptz NOT NULL DEFAULT now()',
        ');',
      ].join('\n'),
      `CREATE INDEX ${t}_events_${t}_id_idx ON ${t}_events (${t}_id);`,
      [
        `CREATE FUNCTION ${t}_events_touch() RETURNS trigger`,
        '  LANGUAGE plpgsql',
        '  AS $$',
        'BEGIN',
        `  UPDATE ${t}s SET updated_at = now() WHERE id = NEW.${t}_id;`,
        '  RETURN NEW;',
        'END',
        '$$;',
      ].join('\n'),
      `CREATE TRIGGER ${t}_events_touch AFTER INSERT ON ${t}_events\n` +
        `  FOR EACH ROW EXECUTE FUNCTION ${t}_events_touch();`,
    ].join('\n')}\n`,
    down: `DROP TABLE ${t}_events;\nDROP FUNCTION ${t}_events_touch();\n`,
  }),
];

/**
 * Writes `n` migration pairs (`0001_create_vessels.up.sql` / `.down.sql`, …) into `dir`
 * (created when missing) and returns their ids in order. Past ten entities the names repeat
 * with a numeric suffix, so any n works.
 */
export function syntheticHistory(n: number, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const round = Math.floor(i / templates.length);
    const entity = (r: number) =>
      `${entities[r % entities.length]}${r >= entities.length ? `_${Math.floor(r / entities.length) + 1}` : ''}`;
    const migration = templates[i % templates.length]!(entity(round), round > 0 ? entity(round - 1) : null);
    const id = `${String(i + 1).padStart(4, '0')}_${migration.name}`;
    writeFileSync(join(dir, `${id}.up.sql`), migration.up);
    writeFileSync(join(dir, `${id}.down.sql`), migration.down);
    ids.push(id);
  }
  return ids;
}
