/**
 * A `static:` service → an ordinary service whose command is Slipway's static file server, probed
 * on the path that server answers. Engine, strategies, runtime and proxy see a service like any
 * other: a blue-green switch is one route change, a canary splits by the sticky cookie, a
 * rollback routes the previous release again.
 */
import path from 'node:path';
import { healthPath } from '../static/health-path.js';
import type { StaticSiteConfig } from './model.js';
import { share } from './normalize-canary.js';
import { staticServerCommand } from './static-command.js';
import { parseSize } from './static-schema.js';
import type { ParsedConfig } from './schema.js';

type ParsedStatic = NonNullable<ParsedConfig['services'][string]['static']>;

/** The reserved path the static server answers for health checks. */
export const staticHealthPath = healthPath;

/** Where a service's published builds live: `<dataDir>/static/<project>/<service>`. */
export function staticStoreDir(dataDir: string, project: string, service: string): string {
  return path.join(dataDir, 'static', project, service);
}

/** The model's static block: paths absolute (they may still hold {version}), sizes in bytes, growth as a fraction. */
export function normalizeStatic(parsed: ParsedStatic, base: string): StaticSiteConfig {
  const dir = path.resolve(base, parsed.dir);
  const bytes = (value: string | number | undefined) => (value === undefined ? undefined : parseSize(value));
  const budget = parsed.budget && {
    manifest: path.resolve(dir, parsed.budget.manifest),
    ...(parsed.budget.total === undefined ? {} : { totalBytes: bytes(parsed.budget.total)! }),
    ...(parsed.budget.perEntry === undefined ? {} : { perEntryBytes: bytes(parsed.budget.perEntry)! }),
    ...(parsed.budget.maxGrowth === undefined ? {} : { maxGrowth: share(parsed.budget.maxGrowth) }),
  };
  return { dir, keep: parsed.keep, spa: parsed.spa, ...(budget ? { budget } : {}) };
}

/** The command, args and cwd that serve `site` for the service `service` of `project`. */
export function staticServerRun(
  site: StaticSiteConfig,
  context: { project: string; service: string; dataDir: string; base: string; pathPrefix: string },
): { command: string; args: string[]; cwd: string } {
  const [command, entry] = staticServerCommand();
  return {
    command,
    args: [
      ...entry,
      '--dir',
      site.dir,
      '--release',
      '{version}',
      '--port',
      '{port}',
      '--store',
      staticStoreDir(context.dataDir, context.project, context.service),
      '--keep',
      String(site.keep),
      '--base',
      context.pathPrefix,
      ...(site.spa ? ['--spa'] : []),
    ],
    // Not the build directory: a missing build must reach the server, which says so naming the path.
    cwd: context.base,
  };
}
