import { createHash } from 'node:crypto';
import type { ProjectConfig } from './model.js';

/**
 * The identity of an applied config: the coordinator stores it with the project, and the CLI
 * computes it to skip re-applying an unchanged slipway.yaml (applying needs admin). One function,
 * so both sides always agree.
 */
export function configDigest(config: ProjectConfig): string {
  return createHash('sha256').update(JSON.stringify(config)).digest('hex');
}
