-- Local users and login sessions (src/access/users.ts, src/access/sessions.ts).
-- Passwords are argon2id PHC strings; TOTP secrets are sealed with the secrets vault's envelope
-- (AES-256-GCM under a data key wrapped by the master key), never stored in the clear.
create table users (
  name            text primary key,
  password_hash   text not null,
  grants          jsonb not null check (jsonb_typeof(grants) = 'array' and jsonb_array_length(grants) > 0),
  -- {ciphertext, iv, tag, wrappedKey, keyIv, keyTag, masterKeyId}, each base64 except the key id.
  totp_secret_enc jsonb,
  totp_enabled    boolean not null default false,
  created_at      timestamptz not null default now(),
  created_by      text,
  disabled_at     timestamptz
);

-- One row per login session. id is sha256 of the cookie value: a stolen database does not give
-- usable cookies. identity is the SessionIdentity (src/access/identity.ts) fixed at login.
create table sessions (
  id           text primary key,
  subject      text not null,
  identity     jsonb not null,
  csrf_secret  text not null,
  created_at   timestamptz not null,
  expires_at   timestamptz not null,
  last_seen_at timestamptz not null,
  revoked_at   timestamptz
);
create index sessions_by_subject on sessions (subject) where revoked_at is null;

-- Brute-force protection, per user name ('user:NAME', known or not, so a lock never tells
-- whether a user exists) and per source address ('ip:ADDRESS').
create table login_throttle (
  key           text primary key,
  failures      integer not null default 0,
  window_start  timestamptz,
  locked_until  timestamptz,
  lockouts      integer not null default 0,
  last_lock_at  timestamptz
);
