import { existsSync, writeFileSync } from 'node:fs';
import { generateToken } from '../api/auth.js';
import { cliTokenFile, readCliToken } from './context.js';

/**
 * The admin token for a coordinator this CLI starts: SLIPWAY_TOKEN if set; else the token file
 * in the data directory; else a new token, written there (0600) for the CLI on this machine and
 * returned as `created` so `up` prints it once.
 */
export function tokenForUp(dataDir: string): { token: string; created: boolean } {
  if (process.env.SLIPWAY_TOKEN) return { token: process.env.SLIPWAY_TOKEN, created: false };
  const existing = readCliToken(dataDir);
  if (existing) return { token: existing, created: false };
  const token = generateToken();
  const file = cliTokenFile(dataDir);
  if (!existsSync(file)) writeFileSync(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
  return { token, created: true };
}
