/**
 * The proxy's keys belong to one kind each: `workers` shapes the built-in proxy's processes (HAProxy runs its own
 * threads), `binary` names the haproxy executable. A key the chosen kind would ignore is reported where it is
 * written, rather than silently having no effect.
 */
import type { RawIssue } from './messages.js';
import { field, isMapping } from './raw.js';

/** Keys of `proxy:` that do nothing with its `kind`. */
export function checkProxyKind(raw: unknown): RawIssue[] {
  const proxy = field(raw, 'proxy');
  if (!isMapping(proxy)) return [];
  const kind = proxy.kind ?? 'builtin';
  if (kind === 'haproxy' && proxy.workers !== undefined)
    return [
      {
        path: ['proxy', 'workers'],
        message: 'applies to the built-in proxy only; with kind haproxy, HAProxy runs one worker with its own threads',
      },
    ];
  if (kind === 'builtin' && proxy.binary !== undefined)
    return [
      { path: ['proxy', 'binary'], message: 'names the haproxy executable: set kind: haproxy too, or remove it' },
    ];
  return [];
}
