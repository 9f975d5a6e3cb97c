import type { Grant } from './grant.js';

/**
 * Who a login session belongs to, however they logged in: a local user (password, TOTP) or a
 * single-sign-on subject whose group claims were mapped to grants. access/sessions.ts turns it into
 * a session cookie; the authorization code reads `principal.grants` the same way as for tokens.
 */
export interface SessionIdentity {
  kind: 'local' | 'oidc';
  /** Local: the user name; OIDC: `issuer#sub`. Unique per person. */
  subject: string;
  /** Shown in the audit log and in messages (user name, or the OIDC email / preferred_username). */
  name: string;
  grants: Grant[];
  /** Second factor verified in this session (TOTP for local users; `amr` containing mfa/otp for OIDC). */
  mfa: boolean;
}
