-- The deployment model made explicit: `options` held settings, control flags and progress in one
-- bag. Now: `settings` (fixed at creation), `control` (the one request waiting for the executor:
-- none | abort | promote | pause | resume) and `progress` (what the executor has done).
alter table deployments
  add column settings jsonb,
  add column control  jsonb not null default '{"kind":"none"}'::jsonb,
  add column progress jsonb not null default '{"inconclusive":0,"migrationsApplied":[]}'::jsonb,
  -- The post-deploy watch of a deployment that succeeded (state, window, outcome); null when not watched.
  add column watch    jsonb;
create index deployments_watching on deployments ((watch ->> 'state')) where watch is not null;

update deployments set
  settings = options - array['trafficShifted', 'trafficShiftedAt', 'abortRequested', 'promoteRequested', 'paused',
                             'resumes', 'forward', 'outcome', 'inconclusive', 'migrationsApplied'],
  control = case
    when options ? 'abortRequested' then jsonb_build_object('kind', 'abort',
      'at', (extract(epoch from updated_at) * 1000)::bigint) || (options -> 'abortRequested')
    when options ? 'promoteRequested' then jsonb_build_object('kind', 'promote') || (options -> 'promoteRequested')
    when options ? 'paused' then jsonb_build_object('kind', 'pause') || (options -> 'paused')
    else '{"kind":"none"}'::jsonb
  end,
  progress = jsonb_strip_nulls(jsonb_build_object(
    'trafficShiftedAt', coalesce(options -> 'trafficShiftedAt',
      case when (options ->> 'trafficShifted')::boolean
        then to_jsonb((extract(epoch from coalesce(started_at, created_at)) * 1000)::bigint) end),
    'inconclusive', coalesce(options -> 'inconclusive', '0'::jsonb),
    'migrationsApplied', coalesce(options -> 'migrationsApplied', '[]'::jsonb),
    'forward', options -> 'forward',
    'outcome', options -> 'outcome'));

-- Canary plans marked the end of continuous analysis with an index; now the steps the judge
-- watches carry `"judged": true` themselves.
update deployments set plan = jsonb_set(plan - 'analysisUntilStep', '{steps}', coalesce((
    select jsonb_agg(case when t.ord - 1 < (plan ->> 'analysisUntilStep')::int
                          then t.s || '{"judged":true}'::jsonb else t.s end order by t.ord)
      from jsonb_array_elements(plan -> 'steps') with ordinality as t(s, ord)), '[]'::jsonb))
  where plan ? 'analysisUntilStep';

alter table deployments alter column settings set not null;
alter table deployments drop column options;

-- Stored project configs carry the version of their shape; older rows are version 1 and are
-- upgraded when read (src/config/stored.ts).
alter table projects add column config_version integer not null default 1;
