-- When each affected user was first and last seen with an issue, per release and environment:
-- the alert rule "errors affecting more than 5 % of users" counts the users of a recent window.
-- Rows stored before this have no times (they count in no window).
alter table error_issue_users add column first_seen timestamptz;
alter table error_issue_users add column last_seen timestamptz;
create index error_issue_users_recent on error_issue_users (environment, release, last_seen);
