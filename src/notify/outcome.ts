/** Words about a delivery's outcome, and which service config fields are settings rather than secret names. */
import type { SendOutcome } from './sender.js';

/**
 * Config fields of the jira and github services that are plain settings (a site, a project key, a
 * repository), not names of secrets: the worker passes them through instead of reading the vault.
 */
export const plainServiceFields = [
  'site',
  'project',
  'issueType',
  'transitions',
  'changes',
  'repository',
  'api',
  'environmentUrls',
];

/** The notification.sent event's message: what was sent, and what the service made of it (or why nothing). */
export function sentMessage(outcome: SendOutcome, what: string): string {
  if (outcome.kind === 'sent' && outcome.skipped) return `nothing to send to ${what} (${outcome.skipped})`;
  return `notified ${what}${outcome.kind === 'sent' && outcome.note ? ` (${outcome.note})` : ''}`;
}
