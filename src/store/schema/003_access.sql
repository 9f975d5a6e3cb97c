-- Access control, part 1: a token carries grants (roles per environment) instead of one role.
-- grants: [{"role": "viewer" | "deployer" | "approver" | "admin", "environments": "*" | ["staging", ...]}]
-- Existing tokens keep what they had: their role on every environment. The role column is
-- dropped so there is one source of truth (a newer schema is refused by older builds anyway).
alter table tokens add column grants jsonb;
update tokens set grants = jsonb_build_array(jsonb_build_object('role', role, 'environments', '*'));
alter table tokens alter column grants set not null;
alter table tokens add constraint tokens_grants_is_array check (jsonb_typeof(grants) = 'array' and jsonb_array_length(grants) > 0);
alter table tokens drop column role;
-- Who created the token (the creating token's name); null for the initial admin token and SLIPWAY_TOKEN.
alter table tokens add column created_by text;
