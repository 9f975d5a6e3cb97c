import { describe, expect, it } from 'vitest';
import { retryDelay } from './backoff.js';
import { scrub } from './scrub.js';

describe('scrub', () => {
  it('removes secret values, the hosts of URL secrets and any URL', () => {
    const url = 'http://127.0.0.1:4567/services/T0/B0/XXXX';
    const text = `no answer: fetch failed: connect ECONNREFUSED 127.0.0.1:4567 for ${url}; token tok_abcdef in body`;
    expect(scrub(text, [url, 'tok_abcdef'])).toBe(
      'no answer: fetch failed: connect ECONNREFUSED [host] for [secret]; token [secret] in body',
    );
    expect(scrub('see https://hooks.slack.com/services/T/B/C now', [])).toBe('see [url] now');
    expect(scrub('moved (Location: https://other.test/x).', [])).toBe('moved (Location: [url]).');
  });

  it("removes a URL secret's password (as written and decoded), path token and query values on their own", () => {
    const smtp = `smtp://slipway:${encodeURIComponent('p@ss:w0rd')}@mail.test:587`;
    const slack = 'https://hooks.slack.test/services/T0/B0/tok3n';
    const text = 'auth p@ss:w0rd failed (p%40ss%3Aw0rd); POST /services/T0/B0/tok3n; key qwerty12345';
    expect(scrub(text, [smtp, slack, 'https://in.test/h?token=qwerty12345'])).toBe(
      'auth [secret] failed ([secret]); POST [secret]; key [secret]',
    );
  });
});

describe('scrub: what a receiver may echo of a URL secret', () => {
  it('removes the query as written (percent-encoded) and decoded, and the user name', () => {
    const hook = 'http://usr0001:p%40ssW0rdX@127.0.0.1:19556/hooks/abc?token=ab%2Bcd%2FefSECRET&v=1';
    const answer = 'HTTP 400: decoded=ab+cd/efSECRET raw=?token=ab%2Bcd%2FefSECRET user=usr0001 pass=p@ssW0rdX';
    expect(scrub(answer, [hook])).toBe('HTTP 400: decoded=[secret] raw=?[secret] user=[secret] pass=[secret]');
  });

  it('removes each token-like segment of the path on its own, not plain words', () => {
    const slack = 'https://hooks.slack.test/services/T0ABC1234/B0DEF5678/XyZ123abcDEF';
    const answer = 'invalid_token for B0DEF5678 (key XyZ123abcDEF); see notifications.services.chat';
    expect(scrub(answer, [slack])).toBe('invalid_token for [secret] (key [secret]); see notifications.services.chat');
  });
});

describe('scrub: the replacements it remembers', () => {
  it('are those of the very set of secrets given, however many sets come', () => {
    const text = 'first tok_first000 second tok_second00';
    for (let round = 0; round < 2; round++) {
      expect(scrub(text, ['tok_first000'])).toBe('first [secret] second tok_second00');
      expect(scrub(text, ['tok_second00'])).toBe('first tok_first000 second [secret]');
      // The same values split otherwise are another set: joined naively, the two would share a key.
      expect(scrub('a tok_\u0000x b', ['tok_\u0000x'])).toBe('a [secret] b');
      expect(scrub('a tok_\u0000x b', ['tok_', 'x'])).toBe('a [secret]\u0000x b');
      // More sets than it keeps: it forgets them and works them out again.
      for (let i = 0; i < 300; i++) expect(scrub(`v secret${i}z`, [`secret${i}z`])).toBe('v [secret]');
    }
  });
});

describe('retryDelay', () => {
  it('doubles from the backoff, caps at maxBackoff, and jitters by ±20 %', () => {
    const retry = { backoffMs: 1000, maxBackoffMs: 5000 };
    expect([1, 2, 3, 4, 5].map((n) => retryDelay(n, retry, () => 0.5))).toEqual([1000, 2000, 4000, 5000, 5000]);
    expect(retryDelay(1, retry, () => 0)).toBe(800);
    expect(retryDelay(1, retry, () => 1)).toBe(1200);
  });
});
