-- Who called a scheduled deployment off and why (slipway scheduled cancel --reason): kept on its row so the list
-- shows them beside the state, not only in its deployment.schedule.cancelled event and the audit log.
alter table scheduled_deployments add column cancelled_by text, add column cancel_reason text;
