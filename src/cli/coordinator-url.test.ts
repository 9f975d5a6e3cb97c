import { describe, expect, it } from 'vitest';
import { redactUrl, slipwayUrl } from './coordinator-url.js';

describe('slipwayUrl', () => {
  it('returns an http(s) address as given, and nothing when unset', () => {
    expect(slipwayUrl({ SLIPWAY_URL: 'http://127.0.0.1:7420' })).toBe('http://127.0.0.1:7420');
    expect(slipwayUrl({ SLIPWAY_URL: 'https://deploy.example.com/' })).toBe('https://deploy.example.com/');
    expect(slipwayUrl({})).toBeUndefined();
  });

  it('refuses what is not an http(s) URL as invalid input naming the variable, without echoing it', () => {
    for (const bad of ['notaurl', 'ftp://127.0.0.1/', 'localhost:7420', 'http://bob:pw@[::1']) {
      let error: { code?: string; message?: string } = {};
      try {
        slipwayUrl({ SLIPWAY_URL: bad });
      } catch (e) {
        error = e as typeof error;
      }
      expect(error.code).toBe('invalid_input');
      expect(error.message).toMatch(/^SLIPWAY_URL is not an http\(s\) URL/);
      expect(error.message).not.toContain(bad);
    }
  });
});

describe('redactUrl', () => {
  it('hides user:password and the query', () => {
    expect(redactUrl('http://bob:S3CRETPW@127.0.0.1:47998/')).toBe('http://***@127.0.0.1:47998/');
    expect(redactUrl('http://127.0.0.1:47998/?token=QTOKEN')).toBe('http://127.0.0.1:47998/?***');
    expect(redactUrl('https://bob@deploy.example.com/base?token=Q#x')).toBe('https://***@deploy.example.com/base?***');
  });

  it('leaves a plain address as it is', () => {
    expect(redactUrl('http://127.0.0.1:7420')).toBe('http://127.0.0.1:7420');
    expect(redactUrl('http://[::1]:7420/')).toBe('http://[::1]:7420/');
  });
});
