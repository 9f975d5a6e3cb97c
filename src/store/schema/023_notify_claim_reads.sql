-- The worker's claim (claimDue in src/store/repos/notify-deliveries.ts) reads each notification service's queue from
-- notify_deliveries_queue (schema 021). PGlite never analyses a table, so its planner believes notify_deliveries is as
-- small as when the schema was made, and read both branches of the claim (urgent, then the rest) from
-- notify_deliveries_due instead: every pending row of every queue, heap tuple and all, filtered, twice per queue on
-- each claim. In a burst (thousands pending) that made every claim slower, and a claim runs in the thread a
-- deployment step's writes wait in. Nothing else reads that index any more (the claim replaced the "next due"
-- look-ups it was made for), so it goes, and with it an index entry per delivery written, claimed or retried.
drop index notify_deliveries_due;
