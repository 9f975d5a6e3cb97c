/**
 * A service is either a command or a static build (`static:`), never both: a static service runs
 * Slipway's own file server, so command, args and cwd would be ignored, and it is probed on the
 * server's reserved health path. Each conflict is reported at the key to remove.
 */
import type { RawIssue } from './messages.js';
import { entriesOf, field, isMapping } from './raw.js';

const runKeys = ['command', 'args', 'cwd'] as const;

/** Problems with command / static in every service. */
export function checkStatic(raw: unknown): RawIssue[] {
  const issues: RawIssue[] = [];
  for (const [service, config] of entriesOf(field(raw, 'services'))) {
    if (!isMapping(config)) continue;
    const at = ['services', service];
    if (config.static === undefined) {
      if (config.command === undefined)
        issues.push({ path: [...at, 'command'], message: 'is required (or static: for a frontend build)' });
      continue;
    }
    for (const key of runKeys)
      if (config[key] !== undefined) issues.push({ path: [...at, key], message: notWithStatic(key) });
    for (const [version, release] of entriesOf(config.releases))
      for (const key of runKeys)
        if (field(release, key) !== undefined)
          issues.push({ path: [...at, 'releases', version, key], message: notWithStatic(key) });
    const healthPaths: [PropertyKey[], unknown][] = [
      [[...at, 'health', 'path'], field(config.health, 'path')],
      ...entriesOf(config.environments).map(([name, override]): [PropertyKey[], unknown] => [
        [...at, 'environments', name, 'health', 'path'],
        field(field(override, 'health'), 'path'),
      ]),
    ];
    for (const [path, value] of healthPaths)
      if (value !== undefined)
        issues.push({
          path,
          message: "a static service is probed on its server's own path (/.slipway/health); remove health.path",
        });
    const dir = field(config.static, 'dir');
    if (typeof dir === 'string')
      for (const [, name] of dir.matchAll(/\{([A-Za-z_]+)\}/g))
        if (name !== 'version')
          issues.push({ path: [...at, 'static', 'dir'], message: `unknown placeholder {${name}}: only {version}` });
  }
  return issues;
}

function notWithStatic(key: (typeof runKeys)[number]): string {
  return (
    `${key} cannot be set on a static service (it runs Slipway's static file server on static.dir); remove ` +
    `${key}, or static`
  );
}
