import { z } from 'zod';
import type { EnvironmentRoutes } from '../router.js';
import { parseHostPort } from './address.js';
import { ProxyError } from './errors.js';

/**
 * The route table as the proxy accepts it. Validation happens once, at the admin API and when
 * routes.json is read back, so the hot path can trust every field.
 */

// Names end up in URLs, cookies, metrics labels and messages: printable, no separators.
const name = (what: string) =>
  z
    .string()
    .min(1, `${what} must not be empty`)
    .max(200, `${what} must be at most 200 characters`)
    .regex(
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this pattern refuses
      /^[^\s/;,"\\\x00-\x1f\x7f]*$/,
      `${what} must not contain spaces, quotes, "/", ";", "," or control characters`,
    );

const hostPort = z.string().refine((s) => parseHostPort(s) !== undefined, {
  message: 'must be host:port with a port from 1 to 65535, e.g. "127.0.0.1:8080"',
});

const upstreamSchema = z.strictObject({ id: name('upstream id'), address: hostPort });

const releaseSetSchema = z.strictObject({
  release: name('release'),
  role: z.enum(['stable', 'candidate']),
  weight: z.number().finite().min(0, 'weight must be 0 or more'),
  upstreams: z.array(upstreamSchema),
});

const routeSchema = z
  .strictObject({
    service: name('service'),
    match: z.strictObject({
      pathPrefix: z.string().regex(/^\/[^\s?#]*$/, 'pathPrefix must start with "/" and contain no spaces, "?" or "#"'),
      host: z
        .string()
        .regex(/^[A-Za-z0-9.-]+$|^\[[0-9A-Fa-f:.]+\]$/, 'host must be a hostname without port, e.g. "shop.example.com"')
        .optional(),
    }),
    releases: z.array(releaseSetSchema),
    sticky: z.boolean().optional(),
  })
  .superRefine((route, ctx) => {
    const releases = new Set<string>();
    const ids = new Set<string>();
    route.releases.forEach((set, i) => {
      if (releases.has(set.release))
        ctx.addIssue({
          code: 'custom',
          path: ['releases', i, 'release'],
          message: `release "${set.release}" appears twice in this route`,
        });
      releases.add(set.release);
      set.upstreams.forEach((u, j) => {
        if (ids.has(u.id))
          ctx.addIssue({
            code: 'custom',
            path: ['releases', i, 'upstreams', j, 'id'],
            message: `upstream id "${u.id}" appears twice in this route`,
          });
        ids.add(u.id);
      });
    });
  });

/** zod schema of one environment's route table (EnvironmentRoutes). */
export const environmentRoutesSchema = z
  .strictObject({
    environment: name('environment'),
    listen: hostPort,
    routes: z.array(routeSchema),
  })
  .superRefine((table, ctx) => {
    const seen = new Map<string, number>();
    table.routes.forEach((route, i) => {
      const key = `${route.match.host?.toLowerCase() ?? '*'} ${route.match.pathPrefix}`;
      const first = seen.get(key);
      if (first !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['routes', i, 'match'],
          message: `same host and pathPrefix as routes[${first}]`,
        });
      else seen.set(key, i);
    });
  });

/** One validation problem: where (key path like `routes[0].match.pathPrefix`) and what. */
export interface TableIssue {
  path: string;
  message: string;
}

/** Render a zod issue path as `routes[0].releases[1].weight`. */
export function formatKeyPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out === '' ? String(key) : `.${String(key)}`;
  return out === '' ? '(root)' : out;
}

/** Validate an untrusted route table; throws ProxyError(invalid_input) listing key paths. `where` names the source. */
export function parseEnvironmentRoutes(input: unknown, where: string): EnvironmentRoutes {
  const result = environmentRoutesSchema.safeParse(input);
  if (result.success) return result.data;
  const issues: TableIssue[] = result.error.issues.map((i) => ({ path: formatKeyPath(i.path), message: i.message }));
  const summary = issues
    .slice(0, 5)
    .map((i) => `${i.path}: ${i.message}`)
    .join('; ');
  const more = issues.length > 5 ? ` (and ${issues.length - 5} more)` : '';
  throw new ProxyError('invalid_input', `invalid route table in ${where}: ${summary}${more}`, { issues });
}
