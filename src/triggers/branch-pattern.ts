/**
 * Branch globs of trigger rules: `*` matches within one path segment (feature/* matches
 * feature/login, not feature/a/b), `**` matches across segments (release/** and **); everything
 * else is literal. That is GitHub's filter syntax for `*` and `**`; its `?` and `[...]` are refused
 * by the config schema. Not a shell-glob library (picomatch, minimatch): braces, extglobs and a
 * leading `!` would make `release-{a,b}`, `fix+(x)` or `!main` match other branches than written.
 */
export function branchMatches(pattern: string, branch: string): boolean {
  return globToRegExp(pattern).test(branch);
}

/** The first rule whose branch pattern matches, in the order written. */
export function firstMatchingRule<R extends { branch: string }>(rules: readonly R[], branch: string): R | undefined {
  return rules.find((rule) => branchMatches(rule.branch, branch));
}

function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      source += '.*';
      i++;
    } else if (c === '*') source += '[^/]*';
    else source += c.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}
