/**
 * Notification templates: text with `{{ name }}` placeholders (dotted names such as
 * `{{ verdict.score }}`). Deliberately not a programming language — no loops or code — so a
 * template from slipway.yaml can be checked completely when the config is validated, and fails
 * at render time only when the event lacks a value it names (the sender then falls back).
 */
import { closest } from '../config/suggest.js';

/** Every name a template may use; what each holds is in README (Notifications). */
export const templateVariables = [
  'trigger',
  'project',
  'environment',
  'service',
  'deployment',
  'from',
  'to',
  'by',
  'reason',
  'state',
  'message',
  'link',
  'commit',
  'verdict.outcome',
  'verdict.score',
  'verdict.reason',
  'verdict.figures',
  'alert.rule',
  'alert.severity',
  'alert.value',
  'alert.threshold',
  'alert.group',
  'incident.id',
  'incident.severity',
  'incident.title',
  'freeze.startsAt',
  'freeze.message',
  'maintenance.at',
  'maintenance.cancelled',
  'maintenance.waitsBehind',
  'maintenance.until',
  'release.notes',
  'release.notesLink',
] as const;

export type TemplateVariable = (typeof templateVariables)[number];

type Part = { text: string } | { name: TemplateVariable };

const placeholder = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** Split a template into text and placeholders; a problem is thrown as a message (no key path: the caller has it). */
export function parseTemplate(source: string): Part[] {
  const parts: Part[] = [];
  const unknown: string[] = [];
  let last = 0;
  const text = (end: number) => {
    const before = source.slice(last, end);
    checkBraces(source, last, before);
    if (before) parts.push({ text: before });
  };
  for (const match of source.matchAll(placeholder)) {
    text(match.index);
    const name = match[1]!;
    if ((templateVariables as readonly string[]).includes(name)) parts.push({ name: name as TemplateVariable });
    else if (!unknown.includes(name)) unknown.push(name);
    last = match.index + match[0].length;
  }
  text(source.length);
  if (unknown.length > 0) throw new Error(unknownMessage(unknown));
  return parts;
}

/** Every unknown placeholder in one message, each with the name it is close to; the full list when one is not. */
function unknownMessage(names: string[]): string {
  const guesses = names.map((name) => closest(name, templateVariables));
  const listed = names.map((name, i) => `{{${name}}}${guesses[i] ? ` (did you mean {{${guesses[i]}}}?)` : ''}`);
  const all = guesses.includes(undefined) ? `; one of: ${templateVariables.join(', ')}` : '';
  return `unknown placeholder${names.length > 1 ? 's' : ''} ${listed.join(', ')}${all}`;
}

/** Braces left in text between placeholders: say at which character (1-based) and show the text around it. */
function checkBraces(source: string, offset: number, text: string): void {
  const found = [text.indexOf('{{'), text.indexOf('}}')].filter((i) => i >= 0);
  if (found.length === 0) return;
  const at = offset + Math.min(...found);
  throw new Error(
    `unbalanced {{ or }} at character ${at + 1} (near "${excerpt(source, at)}"): a placeholder is written {{ name }}`,
  );
}

/** About ten characters either side of `at`, cut at spaces so no word is shown in part. */
function excerpt(source: string, at: number): string {
  let start = Math.max(0, at - 10);
  let end = Math.min(source.length, at + 12);
  if (start > 0) {
    const space = source.indexOf(' ', start);
    if (space >= 0 && space < at) start = space + 1;
  }
  if (end < source.length) {
    const space = source.lastIndexOf(' ', end);
    if (space > at + 2) end = space;
  }
  return source.slice(start, end).trim().replace(/\s+/g, ' ');
}

/** What a problem with a template is, or undefined when it is fine. */
export function templateProblem(source: string): string | undefined {
  try {
    parseTemplate(source);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** Values for one event; a name without a value is absent. */
export type TemplateValues = Partial<Record<TemplateVariable, string>>;

/** Fill a template in; throws when a placeholder has no value for this event. */
export function renderTemplate(source: string, values: TemplateValues): string {
  return parseTemplate(source)
    .map((part) => {
      if ('text' in part) return part.text;
      const value = values[part.name];
      if (value === undefined) throw new Error(`{{${part.name}}} has no value for this event`);
      return value;
    })
    .join('');
}
