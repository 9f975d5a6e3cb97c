/** The password and code a TOTP confirmation needs, inside an action's dialog. */
export function TotpFields({ kind }: { kind: 'local' | 'oidc' }) {
  if (kind === 'oidc')
    return (
      <p className="error-state" role="alert">
        This action needs a second factor: log out and log in again through your provider with it.
      </p>
    );
  return (
    <fieldset className="totp" data-testid="totp-needed">
      <legend>This action needs your TOTP code (the API asks for it at login: you log in again here)</legend>
      <label>
        Password
        <input name="password" type="password" autoComplete="current-password" required />
      </label>
      <label>
        TOTP code
        <input name="totp" inputMode="numeric" autoComplete="one-time-code" pattern="[0-9]{6}" required />
      </label>
    </fieldset>
  );
}
