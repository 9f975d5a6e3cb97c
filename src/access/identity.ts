/** Who a login session belongs to (the type lives with the other stored models). */
export type { SessionIdentity } from '../model/session-identity.js';
