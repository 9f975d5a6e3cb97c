/**
 * Names longer than PostgreSQL's limit (NAMEDATALEN - 1 = 63 bytes). PostgreSQL truncates them
 * with only a NOTICE, so the object is called something else than the migration says: an ORM or
 * a later migration comparing names does not find it, and two long names sharing their first 63
 * bytes collide. Only names a statement gives (creates or renames to) are checked. The parser
 * truncates as it scans, so the tree holds the truncated name: a given name near the limit is
 * looked up in the statement's text to see whether it was written longer.
 */
import type { Node } from 'libpg-query';
import type { LintContext } from '../context.js';
import { namesOf } from '../nodes.js';
import { defineRule, type Hit } from '../rule.js';
import type { RuleModule } from './checks.js';

export const identifierTooLong = defineRule(
  'identifier-too-long',
  'safe',
  'An identifier over 63 bytes is silently truncated by PostgreSQL.',
);

const limit = 63;

/** Keys whose string value is a name the statement gives, wherever they occur in it. */
const givenNameKeys = new Set(['colname', 'conname', 'idxname', 'newname', 'trigname', 'policy_name']);

/** Where each creating statement keeps the name of what it creates (beyond givenNameKeys). */
const ownNames: Record<string, (node: Record<string, unknown>) => (string | undefined)[]> = {
  CreateStmt: (n) => [relname(n.relation)],
  ViewStmt: (n) => [relname(n.view), ...namesOf(n.aliases as Node[] | undefined)],
  CreateSeqStmt: (n) => [relname(n.sequence)],
  CreateTableAsStmt: (n) => [relname((n.into as { rel?: unknown } | undefined)?.rel)],
  CompositeTypeStmt: (n) => [relname(n.typevar)],
  CreateEnumStmt: (n) => [lastName(n.typeName)],
  CreateDomainStmt: (n) => [lastName(n.domainname)],
  CreateFunctionStmt: (n) => [lastName(n.funcname)],
  CreateSchemaStmt: (n) => [n.schemaname as string | undefined],
  AlterTableStmt: () => [],
  IndexStmt: () => [],
  RenameStmt: () => [],
  CreateTrigStmt: () => [],
  CreatePolicyStmt: () => [],
};

function relname(relation: unknown): string | undefined {
  return (relation as { relname?: string } | undefined)?.relname;
}

function lastName(names: unknown): string | undefined {
  return namesOf(names as Node[] | undefined).pop();
}

/** Names under givenNameKeys anywhere in the statement, in one iterative walk. */
function givenNames(node: unknown, into: (string | undefined)[]): void {
  const stack: unknown[] = [node];
  while (stack.length > 0) {
    const value = stack.pop();
    if (Array.isArray(value)) {
      for (const item of value) stack.push(item);
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    for (const [key, child] of Object.entries(value)) {
      if (typeof child === 'object') stack.push(child);
      else if (typeof child === 'string' && givenNameKeys.has(key)) into.push(child);
    }
  }
}

function checkIdentifiers(ctx: LintContext, hits: Hit[]): void {
  const own = ownNames[ctx.statement.kind];
  if (!own) return;
  const names = own(ctx.statement.node);
  givenNames(ctx.statement.node, names);
  const reported = new Set<string>();
  for (const name of names) {
    // Truncation never splits a character, so a truncated name is 60 to 63 bytes long.
    if (!name || reported.has(name) || Buffer.byteLength(name, 'utf8') < limit - 3) continue;
    reported.add(name);
    const written = writtenLonger(ctx.statement.text, name);
    if (!written) continue;
    hits.push({
      rule: identifierTooLong,
      message:
        `"${written}" is ${Buffer.byteLength(written, 'utf8')} bytes: PostgreSQL keeps only the first ${limit} ` +
        `("${name}") and says so in a NOTICE nobody reads`,
      safeAlternative: `Shorten the name to ${limit} bytes or less, so the object is called what the migration says.`,
    });
  }
}

const identifierChar = '[\\p{L}\\p{N}_$]';

/** The identifier in `text` that starts with the truncated `name` and goes on (quoted or not), if any. */
function writtenLonger(text: string, name: string): string | undefined {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const quoted = new RegExp(`"(${escaped}(?:[^"]|"")+)"`, 'u').exec(text);
  if (quoted) return quoted[1]!.replace(/""/g, '"');
  // Unquoted names are folded to lower case by the parser, so match them case-insensitively.
  const bare = new RegExp(`(?<!${identifierChar})(${escaped}${identifierChar}+)`, 'iu').exec(text);
  return bare?.[1];
}

export const identifierRules: RuleModule = {
  rules: [identifierTooLong],
  everyStatement: checkIdentifiers,
};
