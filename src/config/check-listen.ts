/** Listen addresses must not collide: every environment, the coordinator and the proxy admin API bind their own. */
import { formatPath } from './errors.js';
import { trySplitListen } from './fields.js';
import type { RawIssue } from './messages.js';
import { entriesOf, field } from './raw.js';

interface Binding {
  path: PropertyKey[];
  listen: string;
  /** Set when the address is a default the user did not write. */
  isDefault: boolean;
}

const wildcardHosts = new Set(['0.0.0.0', '::', '']);

/** Two bindings collide on the same port when the hosts are equal or either binds every interface. */
function collide(a: { host: string; port: number }, b: { host: string; port: number }): boolean {
  if (a.port !== b.port) return false;
  const host = (h: string) => (h.toLowerCase() === 'localhost' ? '127.0.0.1' : h.toLowerCase());
  return host(a.host) === host(b.host) || wildcardHosts.has(a.host) || wildcardHosts.has(b.host);
}

/** One issue per address that collides with an earlier one (coordinator, proxy admin, then environments in order). */
export function checkListenAddresses(raw: unknown): RawIssue[] {
  const coordinator = field(field(raw, 'coordinator'), 'listen');
  const admin = field(field(raw, 'proxy'), 'admin');
  const bindings: Binding[] = [
    {
      path: ['coordinator', 'listen'],
      listen: typeof coordinator === 'string' ? coordinator : '127.0.0.1:7420',
      isDefault: coordinator === undefined,
    },
    {
      path: ['proxy', 'admin'],
      listen: typeof admin === 'string' ? admin : '127.0.0.1:7421',
      isDefault: admin === undefined,
    },
    ...entriesOf(field(raw, 'environments')).map(([name, environment]): Binding => {
      const listen = field(environment, 'listen');
      return {
        path: ['environments', name, 'listen'],
        listen: typeof listen === 'string' ? listen : '',
        isDefault: false,
      };
    }),
  ];
  const issues: RawIssue[] = [];
  bindings.forEach((binding, i) => {
    const address = trySplitListen(binding.listen);
    if (!address) return; // malformed or missing: the schema says so
    const earlier = bindings.slice(0, i).find((other) => {
      const otherAddress = trySplitListen(other.listen);
      return otherAddress !== undefined && collide(address, otherAddress);
    });
    if (!earlier) return;
    const owner =
      formatPath(earlier.path) + (earlier.isDefault ? ` (its default, ${earlier.listen})` : ` (${earlier.listen})`);
    issues.push({
      path: binding.path,
      message: `${binding.listen} is already used by ${owner}; every address must differ`,
    });
  });
  return issues;
}
