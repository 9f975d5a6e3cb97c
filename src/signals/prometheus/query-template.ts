/**
 * PromQL query templates: `{release}`, `{service}`, `{environment}`, `{project}` and `{window}`
 * are replaced before a query is sent. Values inside a quoted string literal are escaped for
 * that literal's quote, so a release named `a"b` cannot change the query's meaning.
 */

/** What a template may refer to. */
export const placeholders = ['release', 'service', 'environment', 'project', 'window'] as const;

/** One value per placeholder. */
export type TemplateValues = Record<(typeof placeholders)[number], string>;

const placeholderSource = '\\{([A-Za-z_][A-Za-z0-9_]*)\\}';

/**
 * Placeholders a template uses that are not known. A bare `{name}` is never valid PromQL (a
 * label matcher needs an operator), so anything that looks like one is meant as a placeholder.
 */
export function unknownPlaceholders(template: string): string[] {
  const known = new Set<string>(placeholders);
  const unknown = new Set<string>();
  for (const m of template.matchAll(new RegExp(placeholderSource, 'g')))
    if (!known.has(m[1]!)) unknown.add(`{${m[1]}}`);
  return [...unknown];
}

/** Substitute the placeholders; values inside '…', "…" literals are escaped, inside `…` they must not contain a
 * backtick. */
export function renderQuery(template: string, values: TemplateValues): string {
  const placeholderAt = new RegExp(placeholderSource, 'y');
  let out = '';
  let quote: string | undefined;
  for (let i = 0; i < template.length; i++) {
    const ch = template[i]!;
    if (ch === '{') {
      placeholderAt.lastIndex = i;
      const m = placeholderAt.exec(template);
      if (m && Object.hasOwn(values, m[1]!)) {
        out += quoteValue(values[m[1] as keyof TemplateValues], quote, m[0]);
        i += m[0].length - 1;
        continue;
      }
    }
    out += ch;
    if (quote !== undefined && ch === '\\' && quote !== '`') {
      // An escape in the template: copy the escaped character as is, it does not end the literal.
      if (i + 1 < template.length) out += template[++i];
    } else if (quote === undefined && (ch === '"' || ch === "'" || ch === '`')) quote = ch;
    else if (ch === quote) quote = undefined;
  }
  return out;
}

function quoteValue(value: string, quote: string | undefined, placeholder: string): string {
  if (quote === undefined) return value;
  if (quote === '`') {
    if (value.includes('`'))
      throw new Error(
        `${placeholder} is inside a \`raw string\` and its value ${JSON.stringify(value)} contains a backtick; use ` +
          `"…" quotes in the query`,
      );
    return value;
  }
  return escapeStringLiteral(value, quote);
}

/** Escape a value for a PromQL string literal quoted with `quote` (Go escaping; only that quote may be escaped). */
export function escapeStringLiteral(value: string, quote: '"' | "'" | string): string {
  let out = '';
  for (const ch of value) {
    if (ch === '\\' || ch === quote) out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch < ' ' || ch === '\x7f') out += `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out;
}

/** A window length as a PromQL duration: whole seconds as `30s`, anything else in `ms` (at least 1ms). */
export function promqlDuration(ms: number): string {
  const whole = Math.max(1, Math.round(ms));
  return whole % 1000 === 0 ? `${whole / 1000}s` : `${whole}ms`;
}
