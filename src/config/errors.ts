import { type ErrorCode, SlipwayError } from '../shared/errors.js';

/** One problem in a config: where (key path, file, line) and what, in words for people. */
export interface ConfigIssue {
  /** Key path like `services.api.health.path`; empty for the file as a whole. */
  path: string;
  message: string;
  file?: string;
  /** 1-based, when the config came from a file. */
  line?: number;
  column?: number;
}

/** A config problem the user can fix: every issue found, not just the first. */
export class ConfigError extends SlipwayError {
  override readonly name = 'ConfigError';
  constructor(
    readonly issues: ConfigIssue[],
    code: ErrorCode = 'invalid_input',
    message = issues.map(formatIssue).join('\n'),
  ) {
    super(code, message, { issues });
  }
}

/** `services.api.health.path: expected a string (slipway.yaml:14)`. */
export function formatIssue(issue: ConfigIssue): string {
  const where = issue.path === '' ? '' : `${issue.path}: `;
  return `${where}${issue.message}${location(issue)}`;
}

function location(issue: ConfigIssue): string {
  if (issue.file === undefined) return '';
  if (issue.line === undefined) return ` (${issue.file})`;
  // Syntax errors carry a meaningful column; for keys the line is what people look for.
  const column = issue.path === '' && issue.column !== undefined ? `:${issue.column}` : '';
  return ` (${issue.file}:${issue.line}${column})`;
}

/** Path segments as people read them: `services.api.args[2]`, `releases["2.0.0"]`. */
export function formatPath(segments: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z0-9_-]+$/.test(String(segment))) out += out === '' ? String(segment) : `.${String(segment)}`;
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}
