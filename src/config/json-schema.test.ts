import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { configJsonSchema, renderConfigJsonSchema, schemaFile } from './json-schema.js';

describe('configJsonSchema', () => {
  it('is draft 2020-12, strict, with help text', () => {
    const schema = configJsonSchema() as {
      $schema: string;
      additionalProperties: boolean;
      required: string[];
      description: string;
    };
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(['project', 'environments', 'services']);
    expect(schema.description).toMatch(/Slipway/);
  });

  it('describes service fields and shows defaults', () => {
    const schema = configJsonSchema() as { properties: { services: { additionalProperties: Record<string, any> } } };
    const services = schema.properties.services.additionalProperties;
    expect(services.properties.instances).toMatchObject({
      default: 1,
      minimum: 1,
      maximum: 64,
      description: expect.any(String),
    });
    expect(services.properties.health.properties.interval).toMatchObject({
      default: '1s',
      description: expect.any(String),
    });
    expect(services.properties.strategy.oneOf).toHaveLength(3);
  });

  it('is committed up to date (run `npx tsx scripts/write-schema.ts` after changing the schema)', async () => {
    const committed = await readFile(new URL(`../../${schemaFile}`, import.meta.url), 'utf8');
    expect(committed).toBe(renderConfigJsonSchema());
  });
});
