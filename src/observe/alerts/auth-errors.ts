/**
 * Which SDK error events are authentication failures, for the auth-failures rule's second half (the first is 401/403
 * at the proxy). Conservative on purpose: exact exception type names that only auth code raises, never a pattern
 * (a regex on "auth" would catch OAuthConfigError, AuthorService…), and not Python's PermissionError, which is a
 * file's EACCES. An entry `Type: text` matches an exception of that type whose message begins with `text`, for the
 * generic HTTP exceptions (FastAPI/Starlette's HTTPException reads "401: Not authenticated").
 */
export const defaultAuthErrors: readonly string[] = [
  // Generic names (stripe, openai, redis, ldap3, many SDKs): AuthenticationError; Werkzeug/Flask: Unauthorized,
  // Forbidden; http-errors (Express, Koa): UnauthorizedError, ForbiddenError; express-jwt: UnauthorizedError.
  'AuthenticationError',
  'AuthorizationError',
  'Unauthorized',
  'Unauthorised',
  'UnauthorizedError',
  'Forbidden',
  'ForbiddenError',
  // NestJS.
  'UnauthorizedException',
  'ForbiddenException',
  // Django, Django REST framework.
  'PermissionDenied',
  'NotAuthenticated',
  'AuthenticationFailed',
  // Tokens: PyJWT, jsonwebtoken, jose, and the InvalidToken of many libraries.
  'InvalidToken',
  'InvalidTokenError',
  'ExpiredSignatureError',
  'InvalidSignatureError',
  'JsonWebTokenError',
  'TokenExpiredError',
  'JWTExpired',
  'JWTInvalid',
  'JWTClaimValidationFailed',
  'JWSSignatureVerificationFailed',
  // Spring Security, Java and Kotlin SDKs.
  'AuthenticationException',
  'BadCredentialsException',
  'AccessDeniedException',
  // FastAPI / Starlette: raise HTTPException(status_code=401 | 403).
  'HTTPException: 401',
  'HTTPException: 403',
];

/**
 * The entries as SQL parameters: type names and title prefixes. SDKs send the class name as the type and its module
 * apart (sentry-sdk: type "PermissionDenied", module "rest_framework.exceptions"), so a dotted entry counts by its
 * last part.
 */
export function authErrorMatch(entries: readonly string[]): { types: string[]; titlePrefixes: string[] } {
  const types: string[] = [];
  const titlePrefixes: string[] = [];
  for (const entry of entries) {
    // An issue's title is "Type: first line of the value" (grouping.ts), so `Type: text` is a prefix of it.
    const colon = entry.indexOf(': ');
    const type = colon < 0 ? entry : entry.slice(0, colon);
    const name = type.slice(type.lastIndexOf('.') + 1);
    if (colon < 0) types.push(name);
    else titlePrefixes.push(`${name}${entry.slice(colon)}`);
  }
  return { types, titlePrefixes };
}
