-- Secrets, per project and environment, encrypted at rest (src/access/secrets/envelope.ts).
-- Each version is a row: the value encrypted (AES-256-GCM) under its own data key, and that data
-- key wrapped under a master key named by master_key_id. No plaintext is ever stored. The latest
-- version whose deleted_at is null is the secret's value; older versions are kept.
create table secrets (
  project       text not null references projects(name) on delete cascade,
  environment   text not null,
  name          text not null,
  version       integer not null check (version > 0),
  ciphertext    bytea not null,
  iv            bytea not null,
  tag           bytea not null,
  wrapped_key   bytea not null,
  key_iv        bytea not null,
  key_tag       bytea not null,
  master_key_id text not null,
  created_at    timestamptz not null default now(),
  created_by    text,
  deleted_at    timestamptz,
  primary key (project, environment, name, version)
);
-- A key rotation looks for the rows not yet wrapped under the new key.
create index secrets_by_master_key on secrets (master_key_id);
