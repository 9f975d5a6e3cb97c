import { describe, expect, it } from 'vitest';
import { configJsonSchema } from './json-schema.js';
import { parseConfig } from './load.js';
import { schemaComment, starterConfig } from './starter.js';

/** Every property name the JSON Schema declares, at any depth. */
function propertyNames(schema: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(schema)) for (const item of schema) propertyNames(item, into);
  else if (typeof schema === 'object' && schema !== null) {
    for (const [key, value] of Object.entries(schema)) {
      if (key === 'properties' && typeof value === 'object' && value !== null)
        for (const name of Object.keys(value)) into.add(name);
      propertyNames(value, into);
    }
  }
  return into;
}

describe('starterConfig', () => {
  it('validates, with the project name filled in', () => {
    const config = parseConfig(starterConfig('harbor-quote'), { file: 'slipway.yaml', baseDir: '/srv/app' });
    expect(config.project).toBe('harbor-quote');
    expect(config.environments.map((e) => e.name)).toEqual(['development', 'staging', 'production']);
    expect(config.services[0]?.environments.production?.instances).toBe(2);
  });

  it('starts with the schema line for the YAML language server', () => {
    expect(starterConfig('p').split('\n')[0]).toBe(schemaComment());
    expect(schemaComment()).toContain('node_modules/slipway/schema/slipway.schema.json');
    expect(starterConfig('p', './slipway.schema.json').split('\n')[0]).toBe(
      '# yaml-language-server: $schema=./slipway.schema.json',
    );
  });

  it('shows every option of the schema', () => {
    const text = starterConfig('p');
    const missing = [...propertyNames(configJsonSchema())].filter((name) => !new RegExp(`\\b${name}:`).test(text));
    expect(missing).toEqual([]);
  });

  it('comments every option line', () => {
    const text = starterConfig('p');
    for (const key of [
      'project',
      'dataDir',
      'command',
      'args',
      'cwd',
      'instances',
      'drainTimeout',
      'keepOldFor',
      'startTimeout',
    ]) {
      expect(text).toMatch(new RegExp(`^\\s*${key}:.*#\\s\\S`, 'm'));
    }
  });

  it('rejects a project name the config would reject', () => {
    expect(() => starterConfig('Harbor Quote')).toThrow(/invalid project name "Harbor Quote"/);
  });
});
