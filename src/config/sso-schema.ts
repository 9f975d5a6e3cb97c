/**
 * `sso:` in slipway.yaml: single sign-on with an OpenID Connect provider (WorkOS, Okta, Auth0,
 * Keycloak, ...). People log in through the provider; their group claims map to Slipway grants.
 */
import { z } from 'zod';

/** ROLE:ENV[,ENV] or ROLE:* — the syntax of `slipway token create --grant`. */
export const grantTextPattern = /^(viewer|deployer|approver|admin):(\*|[a-z][a-z0-9-]*(,[a-z][a-z0-9-]*)*)$/;

/** Plain http only to the machine itself (a provider started for tests or development). */
function isLoopbackHttp(url: URL): boolean {
  return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}

/** An https:// URL, or http:// on 127.0.0.1 / localhost / [::1]. */
const secureUrlField = (what: string) =>
  z.string().refine((text) => {
    try {
      const url = new URL(text);
      return url.protocol === 'https:' || isLoopbackHttp(url);
    } catch {
      return false;
    }
  }, `expected the ${what} as an https:// URL (http:// is accepted only on 127.0.0.1 or localhost)`);

const grantText = z
  .string()
  .regex(
    grantTextPattern,
    'expected ROLE:ENVIRONMENT[,ENVIRONMENT] or ROLE:* (like deployer:staging,production), ROLE one of viewer, ' +
      'deployer, approver, admin',
  );

export const ssoSchema = z
  .strictObject({
    issuer: secureUrlField('issuer').meta({
      description: "The provider's issuer URL; its /.well-known/openid-configuration is read at each login.",
    }),
    clientId: z.string().min(1).meta({ description: 'The client id Slipway is registered under at the provider.' }),
    clientSecret: z
      .string()
      .regex(
        /^env:[A-Za-z_][A-Za-z0-9_]*$/,
        'expected env:VARIABLE: the client secret is read from the environment at each login, never written in the ' +
          'config',
      )
      .meta({
        description: 'The client secret as env:NAME (read from environment variable NAME when someone logs in).',
      }),
    redirectUri: secureUrlField('redirect URI').meta({
      description:
        "Where the provider sends people back: the coordinator's /api/v1/auth/oidc/callback (register the same URI " +
        'at the provider).',
    }),
    scopes: z
      .array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, 'expected a scope name without spaces or quotes'))
      .refine((scopes) => scopes.includes('openid'), 'must include openid (without it there is no ID token)')
      .default(['openid', 'profile', 'email', 'groups'])
      .meta({ description: 'Scopes requested; must include openid. Default: openid, profile, email, groups.' }),
    groupsClaim: z
      .string()
      .min(1)
      .default('groups')
      .meta({ description: "The ID token claim that lists the person's groups (a string or an array of strings)." }),
    groups: z
      .record(z.string().min(1), z.array(grantText).min(1, 'give the group at least one grant, like viewer:*'))
      .refine((groups) => Object.keys(groups).length > 0, 'map at least one group to grants')
      .meta({
        description:
          'Provider group → grants (ROLE:ENV[,ENV] or ROLE:*). A person gets the grants of every group they are in; ' +
          'someone in no listed group cannot log in.',
      }),
  })
  .meta({
    title: 'Single sign-on',
    description:
      'Log in with an OpenID Connect provider (authorization code flow with PKCE); group claims map to roles.',
  });
