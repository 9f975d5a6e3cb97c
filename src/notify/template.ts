/**
 * Notification templates: text with `{{ name }}` placeholders (dotted names such as
 * `{{ verdict.score }}`). Deliberately not a programming language — no loops or code — so a
 * template from slipway.yaml can be checked completely when the config is validated, and fails
 * at render time only when the event lacks a value it names (the sender then falls back).
 */

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
  let last = 0;
  for (const match of source.matchAll(placeholder)) {
    const before = source.slice(last, match.index);
    checkBraces(before);
    if (before) parts.push({ text: before });
    const name = match[1]!;
    if (!(templateVariables as readonly string[]).includes(name)) {
      throw new Error(`unknown placeholder {{${name}}}; one of: ${templateVariables.join(', ')}`);
    }
    parts.push({ name: name as TemplateVariable });
    last = match.index + match[0].length;
  }
  const rest = source.slice(last);
  checkBraces(rest);
  if (rest) parts.push({ text: rest });
  return parts;
}

function checkBraces(text: string): void {
  if (text.includes('{{') || text.includes('}}')) {
    throw new Error('unbalanced {{ or }}: a placeholder is written {{ name }}');
  }
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
