import { describe, expect, it } from 'vitest';
import { escapeStringLiteral, promqlDuration, renderQuery, unknownPlaceholders } from './query-template.js';

const values = { release: '2.0.0', service: 'quote-api', environment: 'production', project: 'harbor', window: '30s' };

describe('renderQuery', () => {
  it('substitutes every placeholder and leaves label matchers alone', () => {
    const q =
      'sum(rate(http_requests_total{release="{release}",service="{service}",env="{environment}",' +
      'project="{project}",code=~"5.."}[{window}]))';
    expect(renderQuery(q, values)).toBe(
      'sum(rate(http_requests_total{release="2.0.0",service="quote-api",env="production",' +
        'project="harbor",code=~"5.."}[30s]))',
    );
  });

  it('replaces a placeholder used twice, and keeps text that only looks like one', () => {
    expect(renderQuery('a{release="{release}"} / b{release="{release}"}', values)).toBe(
      'a{release="2.0.0"} / b{release="2.0.0"}',
    );
    expect(renderQuery('x{release=~"{release}|{other}"}', values)).toBe('x{release=~"2.0.0|{other}"}');
  });

  it('escapes a value for the quote of the literal it sits in', () => {
    const odd = { ...values, release: `a"b\\c'd\ne` };
    expect(renderQuery('x{r="{release}"}', odd)).toBe(`x{r="a\\"b\\\\c'd\\ne"}`);
    expect(renderQuery("x{r='{release}'}", odd)).toBe(`x{r='a"b\\\\c\\'d\\ne'}`);
  });

  it('does not escape outside literals, and tracks escaped quotes inside them', () => {
    expect(renderQuery('{project}_requests_total', values)).toBe('harbor_requests_total');
    // The \" does not close the literal, so {release} is still inside it.
    expect(renderQuery('x{r="q\\"{release}"}', { ...values, release: 'a"b' })).toBe('x{r="q\\"a\\"b"}');
  });

  it('refuses a backtick inside a raw string', () => {
    expect(renderQuery('x{r=`{release}`}', values)).toBe('x{r=`2.0.0`}');
    expect(() => renderQuery('x{r=`{release}`}', { ...values, release: 'a`b' })).toThrow(/backtick/);
  });
});

describe('unknownPlaceholders', () => {
  it('names placeholders that are not known, once each', () => {
    expect(unknownPlaceholders('x{release="{version}"} + y{a="{version}",b="{release}"}')).toEqual(['{version}']);
    expect(unknownPlaceholders('sum(rate(x{release="{release}"}[{window}]))')).toEqual([]);
  });
});

describe('escapeStringLiteral', () => {
  it('escapes backslashes, the quote and control characters', () => {
    expect(escapeStringLiteral('a\\b"c\td\x01', '"')).toBe('a\\\\b\\"c\\td\\x01');
    expect(escapeStringLiteral('it\'s "fine"', "'")).toBe('it\\\'s "fine"');
  });
});

describe('promqlDuration', () => {
  it('writes whole seconds as s and the rest as ms', () => {
    expect(promqlDuration(30_000)).toBe('30s');
    expect(promqlDuration(120_000)).toBe('120s');
    expect(promqlDuration(1_500)).toBe('1500ms');
    expect(promqlDuration(0)).toBe('1ms');
  });
});
