/** `access:` in slipway.yaml: rules for people who log in (local users, single sign-on). */
import { z } from 'zod';
import { environmentNameField } from './fields.js';

export const accessSchema = z
  .strictObject({
    mfaRequired: z
      .array(environmentNameField)
      .default(['production'])
      .meta({
        description:
          "Environments where a login session needs a second factor (TOTP, or the provider's MFA) to act as approver " +
          'or admin; [] turns it off. API tokens are exempt. Default [production].',
      }),
  })
  .meta({ title: 'Access', description: 'Rules for people who log in: local users and single sign-on.' });
