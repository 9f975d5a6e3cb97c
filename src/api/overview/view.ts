import { z } from 'zod';
import { trafficView } from '../schemas.js';

/**
 * The overview's answer: only what the Overview view shows of each environment × service (the deployment page reads
 * the details from its own routes). A few hundred bytes a service instead of every step of two deployments.
 */
export const overviewServiceView = z.object({
  service: z.string(),
  stable: z.string().nullable().describe('Stable release version'),
  traffic: z.array(trafficView),
  instances: z.object({
    running: z.int().describe('Instances meant to serve (desired running)'),
    healthy: z.int().describe('Of those, how many are healthy'),
  }),
  active: z
    .object({
      id: z.string(),
      kind: z.string(),
      version: z.string().describe('The candidate release'),
      state: z.string(),
      paused: z.boolean(),
      step: z.int().describe('0-based index of the current step'),
      steps: z.int(),
      stepDescription: z.string().nullable(),
    })
    .nullable()
    .describe('The deployment in flight'),
  last: z
    .object({ id: z.string(), version: z.string(), state: z.string(), finishedAt: z.string().nullable() })
    .nullable()
    .describe('The last finished deployment'),
});

export const overviewEnvironmentView = z.object({
  name: z.string(),
  url: z.string(),
  services: z.array(overviewServiceView),
});

export const overviewView = z.object({
  project: z.string(),
  dataPlane: z.object({ healthy: z.boolean(), kind: z.enum(['builtin', 'haproxy']) }),
  environments: z.array(overviewEnvironmentView),
});

export type Overview = z.infer<typeof overviewView>;
export type OverviewService = z.infer<typeof overviewServiceView>;
