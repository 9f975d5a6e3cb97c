-- The last TOTP time step a user logged in with: a code is accepted once (RFC 6238 §5.2).
alter table users add column totp_last_step bigint;
