import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { issuesFor, rawConfig } from '../../test/support/config.js';
import { validateConfigObject } from './validate.js';

/** The first yaml example of README's Notifications section: what people copy. */
function readmeExample(): Record<string, unknown> {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Notifications\n'));
  const block = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error("README's Notifications section has no yaml example");
  return parse(block) as Record<string, unknown>;
}

describe("README's notifications example", () => {
  it('validates, and shows that a webhook needs its signing secret', () => {
    const { notifications } = readmeExample() as { notifications: { services: Record<string, object> } };
    const raw = { ...rawConfig(), notifications };
    expect(validateConfigObject(raw, { baseDir: '/srv/app' }).notifications?.services.hook).toEqual({
      type: 'webhook',
      url: 'HOOK_URL',
      secret: 'HOOK_SIGNING_SECRET',
    });
    // The README says so because validate refuses a webhook without it.
    const { secret: _, ...unsigned } = notifications.services.hook as Record<string, unknown>;
    const refused = { ...raw, notifications: { ...notifications, services: { hook: unsigned } } };
    expect(issuesFor(refused).map((i) => `${i.path}: ${i.message}`)).toContain(
      'notifications.services.hook.secret: is required',
    );
  });
});
