import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { redactionOptions, scrubKeyMaterial } from './logging.js';

/** Private keys (as the SSH runtime's credentials carry them) never reach a log line, whatever the call site does. */

const dir = mkdtempSync(join(tmpdir(), 'logging-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'pass phrase', '-f', join(dir, 'key')]);
const key = readFileSync(join(dir, 'key'), 'utf8');
/** The base64 body of the key: no one line of it may appear either. */
const bodyLines = key.split('\n').filter((l) => l && !l.startsWith('-----'));

function logged(write: (logger: pino.Logger) => void): string[] {
  const lines: string[] = [];
  const logger = pino({ level: 'debug', ...redactionOptions }, { write: (line: string) => void lines.push(line) });
  write(logger);
  return lines;
}

function expectNoKey(lines: string[]): void {
  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines) {
    expect(line).not.toContain('PRIVATE KEY');
    expect(line).not.toContain('pass phrase');
    for (const body of bodyLines) expect(line).not.toContain(body);
  }
}

describe('key material in logs', () => {
  it('credentials, privateKey, passphrase and password fields are redacted, nested too', () => {
    const lines = logged((logger) => {
      logger.info({ privateKey: key, passphrase: 'pass phrase', host: 'deploy@10.0.0.5:22' }, 'connecting');
      logger.info({ credentials: { privateKey: key, passphrase: 'pass phrase' } }, 'credentials');
      logger.child({ part: 'ssh-runtime' }).warn({ ssh: { config: { privateKey: key, password: 'pass phrase' } } });
      logger.info({ host: { auth: { passphrase: 'pass phrase' } } }, 'nested');
    });
    expectNoKey(lines);
    expect(lines[0]).toContain('deploy@10.0.0.5:22');
    expect(lines[0]).toContain('[redacted]');
  });

  it('a key inside a message, an error or any string field is replaced, and the caller keeps its object', () => {
    const where = { deep: { er: { text: `secret DEPLOY_KEY holds ${key}` } } };
    const error = new Error(`Cannot parse privateKey: ${key.slice(0, 200)}`);
    const lines = logged((logger) => {
      logger.warn(`host refused ${key}`);
      logger.error({ err: error }, 'failed');
      logger.info(where, 'where');
      logger.info({ list: ['a', key] }, 'list');
    });
    expectNoKey(lines);
    expect(lines.join('\n')).toContain('[redacted private key]');
    expect(JSON.parse(lines[1]!).err.message).toBe('Cannot parse privateKey: [redacted private key]');
    expect(where.deep.er.text).toContain(key); // scrubbed a copy, not the caller's object
    expect(error.message).toContain('PRIVATE KEY');
  });

  it('leaves objects without a key as they are (same object: nothing copied)', () => {
    const plain = { host: 'a', n: 1, list: [1, 'x'], nested: { ok: true } };
    expect(scrubKeyMaterial(plain)).toBe(plain);
  });
});
