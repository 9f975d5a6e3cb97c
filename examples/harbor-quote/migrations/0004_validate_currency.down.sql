-- Nothing to undo: a validated constraint and a NOT VALID one have the same definition.
select 1;
