/**
 * Placeholders: {version} works in args, cwd and env values; {port} only in args (the runtime
 * fills it there, and gives the instance PORT in its environment). A near-miss like {verison}
 * is reported; other braces are left alone, since env values may legitimately contain them.
 */
import type { RawIssue } from './messages.js';
import { entriesOf, field } from './raw.js';
import { closest } from './suggest.js';

type Place = 'args' | 'cwd' | 'env';

const allowed: Record<Place, string[]> = { args: ['port', 'version'], cwd: ['version'], env: ['version'] };

function checkText(text: unknown, place: Place, path: PropertyKey[], issues: RawIssue[]): void {
  if (typeof text !== 'string') return;
  for (const [, name] of text.matchAll(/\{([A-Za-z_]+)\}/g)) {
    if (allowed[place].includes(name!)) continue;
    if (name === 'port') {
      issues.push({
        path,
        message: `{port} is only filled in args; the instance gets its port as PORT in its environment`,
      });
      continue;
    }
    const guess = closest(name!, allowed[place]);
    if (guess !== undefined) issues.push({ path, message: `unknown placeholder {${name}} (did you mean {${guess}}?)` });
  }
}

/** Check args, cwd and env of a service, an environment override or a release override. */
function checkBlock(block: unknown, path: PropertyKey[], issues: RawIssue[]): void {
  const args = field(block, 'args');
  if (Array.isArray(args)) for (const [i, arg] of args.entries()) checkText(arg, 'args', [...path, 'args', i], issues);
  checkText(field(block, 'cwd'), 'cwd', [...path, 'cwd'], issues);
  for (const [name, value] of entriesOf(field(block, 'env'))) checkText(value, 'env', [...path, 'env', name], issues);
}

/** Placeholder problems in every service and its overrides. */
export function checkPlaceholders(raw: unknown): RawIssue[] {
  const issues: RawIssue[] = [];
  for (const [service, config] of entriesOf(field(raw, 'services'))) {
    const path = ['services', service];
    checkBlock(config, path, issues);
    for (const [name, override] of entriesOf(field(config, 'environments')))
      checkBlock(override, [...path, 'environments', name], issues);
    for (const [version, override] of entriesOf(field(config, 'releases')))
      checkBlock(override, [...path, 'releases', version], issues);
  }
  return issues;
}
