import path from 'node:path';
import type { GatesConfig } from './model.js';
import type { ParsedGates } from './gates-schema.js';
import { share } from './normalize-canary.js';

/** A parsed gates block → GatesConfig: paths absolute against the config's directory, durations in ms. */
export function normalizeGates(gates: ParsedGates, base: string, ms: (d: string | number) => number): GatesConfig {
  return {
    before: gates.before.map((g) => ({
      name: g.name,
      command: g.command,
      args: g.args.map(String),
      cwd: path.resolve(base, g.cwd),
      timeoutMs: ms(g.timeout),
      env: Object.fromEntries(Object.entries(g.env ?? {}).map(([k, v]) => [k, String(v)])),
    })),
    ...(gates.coverage
      ? {
          coverage: {
            file: path.resolve(base, gates.coverage.file),
            minimumPct: Math.round(share(gates.coverage.minimum) * 10_000) / 100,
          },
        }
      : {}),
    after: gates.after.map((g) => ({
      name: g.name,
      path: g.path,
      method: g.method,
      expect: {
        status: g.expect.status,
        ...(g.expect.bodyContains === undefined ? {} : { bodyContains: g.expect.bodyContains }),
      },
      timeoutMs: ms(g.timeout),
    })),
  };
}
