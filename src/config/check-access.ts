import type { RawIssue } from './messages.js';
import { field, isMapping } from './raw.js';
import { hint } from './suggest.js';

/** access.mfaRequired must name declared environments: a misspelled name would silently drop the TOTP rule. */
export function checkAccess(raw: unknown): RawIssue[] {
  const declared = field(raw, 'environments');
  const listed = field(field(raw, 'access'), 'mfaRequired');
  if (!isMapping(declared) || !Array.isArray(listed)) return [];
  const names = Object.keys(declared);
  return listed.flatMap((name, i): RawIssue[] =>
    typeof name === 'string' && !names.includes(name)
      ? [
          {
            path: ['access', 'mfaRequired', i],
            message: `unknown environment "${name}"${hint(name, names, 'a declared environment')}`,
          },
        ]
      : [],
  );
}
