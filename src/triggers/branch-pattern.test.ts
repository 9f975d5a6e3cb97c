import { describe, expect, it } from 'vitest';
import { branchMatches, firstMatchingRule } from './branch-pattern.js';

describe('branch patterns', () => {
  it('a plain name matches only itself', () => {
    expect(branchMatches('main', 'main')).toBe(true);
    expect(branchMatches('main', 'main2')).toBe(false);
    expect(branchMatches('main', 'feature/main')).toBe(false);
  });

  it('* stays within a segment, ** crosses them', () => {
    expect(branchMatches('feature/*', 'feature/login')).toBe(true);
    expect(branchMatches('feature/*', 'feature/a/b')).toBe(false);
    expect(branchMatches('feature/*', 'feature')).toBe(false);
    expect(branchMatches('release/**', 'release/2026/q1')).toBe(true);
    expect(branchMatches('**', 'any/thing')).toBe(true);
  });

  it('regex characters are literal', () => {
    expect(branchMatches('v1.2', 'v1.2')).toBe(true);
    expect(branchMatches('v1.2', 'v1x2')).toBe(false);
    expect(branchMatches('fix+(x)', 'fix+(x)')).toBe(true);
  });

  it('shell-glob syntax is literal too: no braces, extglobs or negation', () => {
    expect(branchMatches('release-{a,b}', 'release-a')).toBe(false);
    expect(branchMatches('release-{a,b}', 'release-{a,b}')).toBe(true);
    expect(branchMatches('fix+(x)', 'fixxx')).toBe(false);
    expect(branchMatches('v@(1|2)', 'v2')).toBe(false);
    expect(branchMatches('!main', 'develop')).toBe(false);
    expect(branchMatches('!main', '!main')).toBe(true);
  });

  it('the first matching rule decides', () => {
    const rules = [
      { branch: 'main', environment: 'staging' },
      { branch: '**', environment: 'development' },
    ];
    expect(firstMatchingRule(rules, 'main')?.environment).toBe('staging');
    expect(firstMatchingRule(rules, 'feature/x')?.environment).toBe('development');
    expect(firstMatchingRule(rules.slice(0, 1), 'feature/x')).toBeUndefined();
  });
});
