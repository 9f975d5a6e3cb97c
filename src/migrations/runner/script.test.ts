import { describe, expect, it } from 'vitest';
import { MigrationError } from '../errors.js';
import { loadParser } from '../linter/parse.js';
import { errorPosition, prepareScript } from './script.js';

// Loaded at import: describe blocks below prepare scripts while tests are being collected.
await loadParser();

describe('prepareScript', () => {
  it('splits a script into statements with their file offsets, and keeps an ordinary script transactional', () => {
    const sql = '-- slipway: phase=expand\ncreate table a (id int);\n\n  insert into a values (1);\n';
    const script = prepareScript(sql, 'm/0001_a.up.sql');
    expect(script.transactional).toBe(true);
    expect(script.statements.map((s) => [s.text, s.line, s.col])).toEqual([
      ['create table a (id int)', 2, 1],
      ['insert into a values (1)', 4, 3],
    ]);
    for (const s of script.statements) expect(sql.slice(s.offset, s.offset + s.text.length)).toBe(s.text);
  });

  it.each([
    ['create index concurrently a_x on a (x)', true],
    ['drop index concurrently a_x', true],
    ['reindex index concurrently a_x', true],
    ['alter table p detach partition c concurrently', true],
    ['vacuum a', true],
    ['create index a_x on a (x)', false],
    ['drop index a_x', false],
    ['reindex index a_x', false],
    ['alter table p detach partition c', false],
    ['refresh materialized view concurrently m', false],
  ])('%s → outside a transaction: %s', (sql, outside) => {
    const script = prepareScript(`${sql};`, 'f.sql');
    expect(script.statements[0]!.outsideTransaction).toBe(outside);
    expect(script.transactional).toBe(!outside);
  });

  it('knows which index a CREATE INDEX CONCURRENTLY builds, with or without a schema', () => {
    const script = prepareScript(
      'create unique index concurrently if not exists ux on s.t (a);\ncreate index concurrently ix on t (b);',
      'f.sql',
    );
    expect(script.statements.map((s) => s.concurrentIndex)).toEqual([
      { name: 'ux', schema: 's', table: 't' },
      { name: 'ix', schema: null, table: 't' },
    ]);
  });

  it('refuses an unnamed CREATE INDEX CONCURRENTLY naming file:line', () => {
    expect(() => prepareScript('select 1;\ncreate index concurrently on t (b);', 'm/0002_b.up.sql')).toThrow(
      /^m\/0002_b\.up\.sql:2: name the index/,
    );
  });

  it('refuses BEGIN / COMMIT but allows savepoints', () => {
    expect(() => prepareScript('select 1;\n\ncommit;', 'f.sql')).toThrow(
      /^f\.sql:3: "commit" — remove transaction control/,
    );
    expect(() => prepareScript('begin;', 'f.sql')).toThrow(MigrationError);
    expect(prepareScript('savepoint s;\nselect 1;\nrelease savepoint s;', 'f.sql').statements).toHaveLength(3);
  });

  it('refuses a syntax error naming file:line:col', () => {
    const error = (() => {
      try {
        prepareScript('select 1;\nselec 2;', 'm/0003_c.up.sql');
      } catch (e) {
        return e as MigrationError;
      }
    })();
    expect(error?.code).toBe('invalid_input');
    expect(error?.message).toMatch(/^m\/0003_c\.up\.sql:2:1: syntax error at or near "selec"/);
  });
});

describe('errorPosition', () => {
  const sql = 'create table a (id int);\n\ninsert into a\n  select * from missing;\n';
  const script = prepareScript(sql, 'f.sql');
  const insert = script.statements[1]!;

  it("maps the server's 1-based position within a statement to the file's line and column", () => {
    const position = insert.text.indexOf('missing') + 1;
    expect(errorPosition(script, insert, String(position))).toEqual({ line: 4, col: 17 });
  });

  it("falls back to the statement's start when the server gives no usable position", () => {
    expect(errorPosition(script, insert, undefined)).toEqual({ line: 3, col: 1 });
    expect(errorPosition(script, insert, '9999')).toEqual({ line: 3, col: 1 });
  });
});
