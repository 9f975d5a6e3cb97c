/** `--set KEY=VALUE` flags → env entries for a release. */
import { ConfigError } from './errors.js';
import { envNamePattern } from './fields.js';

/**
 * Parse `KEY=VALUE` strings: the value may contain "=" and may be empty; KEY must be an
 * environment variable name. A later flag for the same KEY wins. Throws ConfigError naming the
 * flag and the expected form, with every bad flag listed.
 */
export function parseSetFlags(values: string[]): Record<string, string> {
  const sets: Record<string, string> = {};
  const issues: { path: string; message: string }[] = [];
  for (const value of values) {
    const at = value.indexOf('=');
    const key = at < 0 ? value : value.slice(0, at);
    if (at < 0) {
      issues.push({
        path: '',
        message: `--set ${JSON.stringify(value)}: expected KEY=VALUE, like --set LOG_LEVEL=debug`,
      });
    } else if (!envNamePattern.test(key)) {
      const message =
        `--set ${JSON.stringify(value)}: ${JSON.stringify(key)} is not an environment variable name ` +
        `(letters, digits and _, not starting with a digit); expected KEY=VALUE`;
      issues.push({ path: '', message });
    } else {
      // defineProperty, not assignment: a KEY of "__proto__" must stay an ordinary key.
      Object.defineProperty(sets, key, {
        value: value.slice(at + 1),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return sets;
}
