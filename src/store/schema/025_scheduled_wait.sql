-- A scheduled deployment whose time came while another deployment of its service ran there waits behind that one
-- (still pending): which deployment it waits behind, since when, and when it gives up. Kept on its row so
-- `slipway scheduled` shows it and every coordinator that becomes leader keeps the same bound.
alter table scheduled_deployments
  add column waiting_behind text,
  add column waiting_since timestamptz,
  add column wait_until timestamptz;
