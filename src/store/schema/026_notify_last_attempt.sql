-- When a delivery's last attempt ended (sent, failed for good, or to be retried): `slipway notifications` and the API
-- say when a delivery failed, not only when it was written. sent_at says it for sent deliveries only.
alter table notify_deliveries add column last_attempt_at timestamptz;
update notify_deliveries set last_attempt_at = sent_at where sent_at is not null;
