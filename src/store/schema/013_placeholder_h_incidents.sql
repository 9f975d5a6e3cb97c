-- Placeholder kept by the h-incidents branch so its 015_incidents.sql loads (numbers are gapless).
-- The lead removes this file when merging: 013 and 014 belong to other branches.
select 1;
