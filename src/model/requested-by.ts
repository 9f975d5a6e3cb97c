/**
 * Who asked for a deployment, as its `requested_by` holds it: a person's name, or the scheduler acting for one
 * ("dana (scheduled)"). Approvals go by the person: a deployment dana scheduled is still hers, and her own approval
 * must not count for it where it would not had she deployed at once (nor, once she first deployed a release that
 * way, for the release).
 */
const scheduledMark = ' (scheduled)';

/** What the scheduler records as the requester of a deployment it starts for `person`. */
export const scheduledFor = (person: string): string => `${person}${scheduledMark}`;

/** The person behind a requester as stored: "dana (scheduled)" is dana. */
export const personOf = (requestedBy: string): string =>
  requestedBy.endsWith(scheduledMark) ? requestedBy.slice(0, -scheduledMark.length) : requestedBy;
