/**
 * `static:` — a service that is a frontend build (e.g. Vite's dist/) served by Slipway's own static
 * file server instead of a command. Normalized by normalize-static.ts into an ordinary service whose
 * command runs that server, so every strategy, the proxy and rollbacks work unchanged.
 */
import { z } from 'zod';
import { percentField } from './canary-schema.js';

const sizeMessage = 'expected a size like 300KB, 1.5MB or 200KiB (KB = 1000 bytes, KiB = 1024), or a number of bytes';
const sizeUnits: Record<string, number> = { b: 1, kb: 1000, kib: 1024, mb: 1000 ** 2, mib: 1024 ** 2 };
const sizeText = /^(\d+(?:\.\d+)?)\s*(B|kB|KB|KiB|MB|MiB)$/i;

/** "300KB" → 300000; undefined when it is not a size (the schema reports it). */
export function parseSize(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : undefined;
  const match = sizeText.exec(value.trim());
  if (!match) return undefined;
  return Math.round(Number(match[1]) * sizeUnits[match[2]!.toLowerCase()]!);
}

/** A byte size: 300KB, 1.5MB, 200KiB or a whole number of bytes; at most 1 GB. */
export const sizeField = z.union([z.int(sizeMessage), z.string()], { error: sizeMessage }).refine((value) => {
  const bytes = parseSize(value);
  return bytes !== undefined && bytes > 0 && bytes <= 1e9;
}, sizeMessage);

const budgetSchema = z
  .strictObject({
    manifest: z
      .string()
      .min(1)
      .default('.vite/manifest.json')
      .meta({ description: "The build's manifest (Vite: build.manifest: true), relative to static.dir." }),
    total: sizeField.optional().meta({ description: 'Limit on the gzip size of all entry chunks and their imports.' }),
    perEntry: sizeField.optional().meta({ description: 'Limit on the gzip size of each entry with its imports.' }),
    maxGrowth: percentField
      .optional()
      .meta({ description: 'Largest growth against the previous release, e.g. 10% (more fails the deployment).' }),
  })
  .meta({
    title: 'Bundle budget',
    description: 'Gzip sizes from the build manifest, checked before the release moves; the offending chunks named.',
  });

/** A service's `static:` block. */
export const staticSchema = z
  .strictObject({
    dir: z
      .string()
      .min(1)
      .meta({
        description:
          'The build to serve (e.g. frontend/releases/{version}/dist), relative to slipway.yaml; must hold ' +
          'index.html. ' +
          'Copied once per release into a content-addressed store, so the directory may change afterwards.',
      }),
    keep: z
      .int()
      .min(0)
      .max(20)
      .default(3)
      .meta({
        description:
          'Earlier releases whose files stay served (skew protection): a page loaded before a switch still gets its ' +
          'chunks. 0..20.',
      }),
    spa: z
      .boolean()
      .default(true)
      .meta({ description: 'Paths without a file extension that name no file get index.html (client-side routing).' }),
    budget: budgetSchema.optional(),
  })
  .meta({
    title: 'Static site',
    description:
      "A frontend build served by Slipway's static file server instead of a command: hashed assets cached for a " +
      'year, index.html revalidated, precompressed brotli/gzip, ETags and ranges, a slipway-release cookie on pages.',
  });
