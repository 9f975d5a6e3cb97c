/** Enum and domain cases. */
import { clean, type CorpusCase, finding, warned } from './case.js';

export const typeCases: CorpusCase[] = [
  {
    name: 'rename an enum value',
    sql: "ALTER TYPE vessel_status RENAME VALUE 'decommissioned' TO 'retired';",
    expect: [finding('rename-enum-value', 'breaking')],
  },
  {
    name: 'add an enum value',
    sql: "ALTER TYPE vessel_status ADD VALUE IF NOT EXISTS 'laid_up' AFTER 'active';",
    expect: [clean('backward-compatible')],
    source: 'mastodon/mastodon: enum-like integer columns; PostgreSQL enums grow with ADD VALUE',
  },
  {
    name: 'rename a value of an enum created in the same file',
    sql: "CREATE TYPE hull_class AS ENUM ('a', 'b');\nALTER TYPE hull_class RENAME VALUE 'a' TO 'alpha';",
    expect: [clean('safe'), clean('safe')],
  },
  {
    name: 'add a constraint to a domain',
    sql: 'ALTER DOMAIN positive_tonnage ADD CONSTRAINT positive_tonnage_check CHECK (VALUE > 0);',
    expect: [finding('add-domain-constraint-without-not-valid', 'locking')],
  },
  {
    name: 'add a constraint to a domain NOT VALID',
    sql: 'ALTER DOMAIN positive_tonnage ADD CONSTRAINT positive_tonnage_check CHECK (VALUE > 0) NOT VALID;',
    expect: [clean('backward-compatible')],
  },
  {
    name: 'SET NOT NULL on a domain',
    sql: 'ALTER DOMAIN port_code SET NOT NULL;',
    expect: [finding('domain-set-not-null', 'locking')],
  },
  {
    name: 'create a domain with a CHECK',
    sql: "CREATE DOMAIN port_code AS text CHECK (VALUE ~ '^[A-Z]{5}$');",
    expect: [warned('safe', ['create-domain-with-constraint'])],
  },
  {
    name: 'create a plain domain',
    sql: 'CREATE DOMAIN port_code AS text;',
    expect: [clean('safe')],
  },
  {
    name: 'constrain a domain created in the same file',
    sql: 'CREATE DOMAIN draft_m AS numeric;\nALTER DOMAIN draft_m ADD CONSTRAINT draft_m_positive CHECK (VALUE > 0);',
    expect: [clean('safe'), clean('safe')],
  },
];
