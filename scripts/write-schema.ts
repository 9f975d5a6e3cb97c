/** Regenerate schema/slipway.schema.json from the zod schema: `npx tsx scripts/write-schema.ts`. */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { renderConfigJsonSchema, schemaFile } from '../src/config/json-schema.js';

const target = fileURLToPath(new URL(`../${schemaFile}`, import.meta.url));
await writeFile(target, renderConfigJsonSchema());
console.log(`wrote ${target}`);
