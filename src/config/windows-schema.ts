/**
 * `environments.<name>.windows`: when deployments may start there, like Spinnaker's execution
 * windows — days of the week and a time of day in a time zone. Outside every window a deployment
 * is refused with the next opening, or scheduled into it (`slipway deploy … --at next-window`).
 */
import { z } from 'zod';

export const weekdays = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

const clock = (what: string, last: string) =>
  z
    .string()
    .regex(new RegExp(`^(([01]\\d|2[0-3]):[0-5]\\d|${last})$`), `expected a time of day as HH:MM, like 09:00`)
    .meta({ description: what });

function validTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const windowSchema = z
  .strictObject({
    days: z
      .array(z.enum(weekdays))
      .min(1)
      .default(['mon', 'tue', 'wed', 'thu', 'fri'])
      .meta({ description: 'Days the window opens: sun, mon, tue, wed, thu, fri, sat (default mon-fri).' }),
    from: clock('Opens at this local time (HH:MM).', '(?!)'),
    to: clock('Closes at this local time (HH:MM, 24:00 for midnight); after from.', '24:00'),
    timezone: z
      .string()
      .min(1)
      .default('UTC')
      .refine(validTimeZone, 'expected an IANA time zone, like Europe/Oslo')
      .meta({ description: 'IANA time zone of from and to, e.g. Europe/Oslo (default UTC).' }),
  })
  .superRefine((w, ctx) => {
    if (w.to <= w.from)
      ctx.addIssue({ code: 'custom', path: ['to'], message: `to (${w.to}) must be after from (${w.from})` });
  })
  .meta({ title: 'Deployment window', description: 'Days and local hours when deployments may start.' });

export const windowsField = z
  .array(windowSchema)
  .default([])
  .meta({
    description:
      'When deployments may start here (empty: any time). Outside them a deployment is refused naming the next ' +
      'window, or scheduled into it with --at next-window; an admin may deploy anyway with --emergency --reason.',
  });
