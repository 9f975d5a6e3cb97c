import { SlipwayError } from '../../shared/errors.js';

/** An Alertmanager matcher: `name=value`, `name!=value`, `name=~regex`, `name!~regex`. */
export interface Matcher {
  name: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

const matcherText = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$/;

/** Parse `service=api` / `alertname=~"api-.*"`; `where` names the input in the error. */
export function parseMatcher(text: string, where: string): Matcher {
  const match = matcherText.exec(text);
  if (!match)
    throw new SlipwayError(
      'invalid_input',
      `${where}: ${JSON.stringify(text)} is not a matcher; expected label=value, label!=value, label=~regex or ` +
        'label!~regex (e.g. alertname=api-latency-p95)',
    );
  const [, name, op, raw] = match as unknown as [string, string, Matcher['op'], string];
  const value = /^".*"$/.test(raw) ? raw.slice(1, -1) : raw;
  if (op === '=~' || op === '!~') {
    try {
      new RegExp(`^(?:${value})$`);
    } catch (e) {
      throw new SlipwayError('invalid_input', `${where}: ${JSON.stringify(value)} is not a valid regex: ${e}`);
    }
  }
  return { name, op, value };
}

/** Does one matcher accept the labels? A missing label reads as the empty string, as in Alertmanager. */
export function matches(m: Matcher, labels: Record<string, string>): boolean {
  const actual = labels[m.name] ?? '';
  switch (m.op) {
    case '=':
      return actual === m.value;
    case '!=':
      return actual !== m.value;
    case '=~':
      return new RegExp(`^(?:${m.value})$`).test(actual);
    case '!~':
      return !new RegExp(`^(?:${m.value})$`).test(actual);
  }
}

/** All matchers accept the labels. */
export function matchesAll(ms: Matcher[], labels: Record<string, string>): boolean {
  return ms.every((m) => matches(m, labels));
}

/** `name=value` text of a matcher, as people write it. */
export function formatMatcher(m: Matcher): string {
  return `${m.name}${m.op}${m.op.includes('~') ? JSON.stringify(m.value) : m.value}`;
}
