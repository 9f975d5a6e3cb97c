/** `secret:NAME` fields: credentials live in Slipway's secrets of the environment, never in slipway.yaml. */
import { z } from 'zod';

/** A field naming a secret, with what it holds. */
export const secretRef = (what: string) =>
  z
    .string()
    .regex(
      /^secret:[A-Za-z_][A-Za-z0-9_]*$/,
      `expected secret:NAME: the ${what} is a Slipway secret (slipway secrets set NAME --env ENV), never written ` +
        'in the config',
    )
    .meta({ description: `The ${what}, as secret:NAME (read from the environment's secrets when sending).` });
