/** The JSON Schema of slipway.yaml, generated from the zod schema so editors and Slipway agree. */
import { z } from 'zod';
import { configSchema } from './schema.js';

/** Draft 2020-12 schema of slipway.yaml as people write it (defaults optional, help text on fields). */
export function configJsonSchema(): Record<string, unknown> {
  // io "input": fields with defaults are optional in the file, and their defaults are shown.
  return z.toJSONSchema(configSchema, { target: 'draft-2020-12', io: 'input' }) as Record<string, unknown>;
}

/** Where the schema is committed, relative to the package root; shipped in the npm package. */
export const schemaFile = 'schema/slipway.schema.json';

/** The exact text of schema/slipway.schema.json. */
export function renderConfigJsonSchema(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}
