/**
 * The one catalog query behind `snapshotCatalog`. It runs after every step of a dry run, so
 * it is a single round trip whatever the schema size. Each row is an object key, its
 * normalised definition, and the table it belongs to (so the caller can leave out the
 * runner's history table). Keys use quote_ident names: unambiguous, and plain for plain names.
 * Objects that belong to an extension are left out: the `extension` row stands for them.
 */

/** Schemas PostgreSQL owns; never part of a migration's effect. */
const userSchemas = `
  select n.oid, n.nspname from pg_namespace n
  where n.nspname not in ('pg_catalog', 'information_schema')
    and n.nspname not like 'pg\\_toast%' and n.nspname not like 'pg\\_temp\\_%'`;

const extensionMembers = `select d.classid, d.objid from pg_depend d where d.deptype = 'e'`;

const schemas = `
  select 'schema ' || quote_ident(n.nspname) as key, 'schema' as def, null::text as owner_schema, null::text as
    owner_table
  from ns n`;

const extensions = `
  select 'extension ' || quote_ident(e.extname), 'version ' || e.extversion || ' in schema ' ||
    quote_ident(x.nspname), null, null
  from pg_extension e join pg_namespace x on x.oid = e.extnamespace
  where e.extname <> 'plpgsql'`;

// Identity sequences are described by their column; serial ones say which column owns them.
const relations = `
  select case c.relkind when 'v' then 'view ' when 'm' then 'materialized view ' when 'S' then 'sequence '
           when 'f' then 'foreign table ' else 'table ' end || quote_ident(n.nspname) || '.' || quote_ident(c.relname),
    case
      when c.relkind in ('v', 'm') then pg_get_viewdef(c.oid, true) || coalesce(' with ' ||
        array_to_string(c.reloptions, ', '), '')
      when c.relkind = 'S' then (
        select 'as ' || format_type(s.seqtypid, null) || ' start ' || s.seqstart || ' increment ' || s.seqincrement
          || ' min ' || s.seqmin || ' max ' || s.seqmax || ' cache ' || s.seqcache || case when s.seqcycle then
            ' cycle' else '' end
          || coalesce((select ' owned by ' || quote_ident(tn.nspname) || '.' || quote_ident(t.relname) || '.' ||
            quote_ident(a.attname)
                       from pg_depend d join pg_class t on t.oid = d.refobjid join pg_namespace tn on tn.oid =
                         t.relnamespace
                       join pg_attribute a on a.attrelid = t.oid and a.attnum = d.refobjsubid
                       where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'a' and
                         d.refobjsubid > 0 limit 1), '')
        from pg_sequence s where s.seqrelid = c.oid)
      else concat_ws(' ', case c.relkind when 'p' then 'partitioned by ' || pg_get_partkeydef(c.oid) when 'f' then
        'foreign' else 'table' end,
        case when c.relpersistence = 'u' then 'unlogged' end,
        case when c.relispartition then 'partition of ' || (
          select quote_ident(pn.nspname) || '.' || quote_ident(p.relname) from pg_inherits i join pg_class p on p.oid
            = i.inhparent
          join pg_namespace pn on pn.oid = p.relnamespace where i.inhrelid = c.oid) || ' ' ||
            pg_get_expr(c.relpartbound, c.oid) end,
        case when not c.relispartition then (
          select 'inherits ' || string_agg(quote_ident(pn.nspname) || '.' || quote_ident(p.relname), ', ' order by
            i.inhseqno)
          from pg_inherits i join pg_class p on p.oid = i.inhparent join pg_namespace pn on pn.oid = p.relnamespace
            where i.inhrelid = c.oid) end,
        'with ' || array_to_string(c.reloptions, ', '),
        case when c.relrowsecurity then 'row level security' end,
        case when c.relforcerowsecurity then 'forced' end)
    end,
    n.nspname,
    case when c.relkind = 'S' then (
      select t.relname from pg_depend d join pg_class t on t.oid = d.refobjid
      where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'a' limit 1)
    else c.relname end
  from pg_class c join ns n on n.oid = c.relnamespace
  where c.relkind in ('r', 'p', 'v', 'm', 'S', 'f')
    and not exists (select 1 from ext e where e.classid = 'pg_class'::regclass and e.objid = c.oid)
    and not (c.relkind = 'S' and exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass and d.objid
      = c.oid and d.deptype = 'i'))`;

// Position counts only live columns: what `SELECT *` and positional INSERTs see.
const columns = `
  select 'column ' || quote_ident(n.nspname) || '.' || quote_ident(c.relname) || '.' || quote_ident(a.attname),
    concat_ws(' ', 'position ' || row_number() over (partition by a.attrelid order by a.attnum),
      format_type(a.atttypid, a.atttypmod),
      case when a.attcollation <> t.typcollation then 'collate ' || (select quote_ident(cn.nspname) || '.' ||
        quote_ident(co.collname)
        from pg_collation co join pg_namespace cn on cn.oid = co.collnamespace where co.oid = a.attcollation) end,
      case when a.attnotnull then 'not null' end,
      case when a.attgenerated = 's' then 'generated always as (' || pg_get_expr(ad.adbin, ad.adrelid) || ') stored'
           when ad.adbin is not null then 'default ' || pg_get_expr(ad.adbin, ad.adrelid) end,
      case a.attidentity when 'a' then 'generated always as identity' when 'd' then
        'generated by default as identity' end),
    n.nspname, c.relname
  from pg_attribute a join pg_class c on c.oid = a.attrelid join ns n on n.oid = c.relnamespace
  join pg_type t on t.oid = a.atttypid
  left join pg_attrdef ad on ad.adrelid = a.attrelid and ad.adnum = a.attnum
  where c.relkind in ('r', 'p', 'f') and a.attnum > 0 and not a.attisdropped
    and not exists (select 1 from ext e where e.classid = 'pg_class'::regclass and e.objid = c.oid)`;

// An index left invalid by a failed CREATE INDEX CONCURRENTLY is a real difference.
const indexes = `
  select 'index ' || quote_ident(n.nspname) || '.' || quote_ident(ci.relname),
    pg_get_indexdef(i.indexrelid) || case when not i.indisvalid then ' (invalid)' else '' end,
    n.nspname, ct.relname
  from pg_index i join pg_class ci on ci.oid = i.indexrelid join pg_class ct on ct.oid = i.indrelid
  join ns n on n.oid = ci.relnamespace
  where not exists (select 1 from ext e where e.classid = 'pg_class'::regclass and e.objid = ct.oid)`;

const constraints = `
  select 'constraint ' || quote_ident(n.nspname) || '.' || quote_ident(c.relname) || '.' || quote_ident(co.conname),
    pg_get_constraintdef(co.oid), n.nspname, c.relname
  from pg_constraint co join pg_class c on c.oid = co.conrelid join ns n on n.oid = c.relnamespace
  where not exists (select 1 from ext e where e.classid = 'pg_class'::regclass and e.objid = c.oid)`;

// Enums, composites, domains and ranges; array types and table row types follow their owner.
const types = `
  select 'type ' || quote_ident(n.nspname) || '.' || quote_ident(t.typname),
    case t.typtype
      when 'e' then 'enum (' || coalesce((select string_agg(quote_literal(e.enumlabel), ', ' order by e.enumsortorder)
        from pg_enum e where e.enumtypid = t.oid), '') || ')'
      when 'c' then 'composite (' || coalesce((select string_agg(quote_ident(a.attname) || ' ' ||
        format_type(a.atttypid, a.atttypmod), ', ' order by a.attnum)
        from pg_attribute a where a.attrelid = t.typrelid and a.attnum > 0 and not a.attisdropped), '') || ')'
      when 'd' then concat_ws(' ', 'domain over ' || format_type(t.typbasetype, t.typtypmod),
        case when t.typnotnull then 'not null' end, 'default ' || t.typdefault,
        (select string_agg('constraint ' || quote_ident(co.conname) || ' ' || pg_get_constraintdef(co.oid), ' ' order
          by co.conname)
         from pg_constraint co where co.contypid = t.oid))
      when 'r' then (select 'range of ' || format_type(r.rngsubtype, null) from pg_range r where r.rngtypid = t.oid)
      else 'base type'
    end,
    null, null
  from pg_type t join ns n on n.oid = t.typnamespace
  where t.typtype in ('e', 'c', 'd', 'r', 'b') and t.typcategory <> 'A'
    and (t.typtype <> 'c' or (select c.relkind from pg_class c where c.oid = t.typrelid) = 'c')
    and not exists (select 1 from ext e where e.classid = 'pg_type'::regclass and e.objid = t.oid)`;

const functions = `
  select case p.prokind when 'p' then 'procedure ' when 'a' then 'aggregate ' else 'function ' end
      || quote_ident(n.nspname) || '.' || quote_ident(p.proname) || '(' || pg_get_function_identity_arguments(p.oid)
        || ')',
    case when p.prokind = 'a' then (select 'sfunc ' || ag.aggtransfn::text || ' stype ' ||
      format_type(ag.aggtranstype, null)
        || case when ag.aggfinalfn::oid <> 0::oid then ' finalfunc ' || ag.aggfinalfn::text else '' end ||
          coalesce(' initcond ' || ag.agginitval, '')
      from pg_aggregate ag where ag.aggfnoid = p.oid)
    else pg_get_functiondef(p.oid) end,
    null, null
  from pg_proc p join ns n on n.oid = p.pronamespace
  where not exists (select 1 from ext e where e.classid = 'pg_proc'::regclass and e.objid = p.oid)`;

const triggers = `
  select 'trigger ' || quote_ident(n.nspname) || '.' || quote_ident(c.relname) || '.' || quote_ident(tg.tgname),
    pg_get_triggerdef(tg.oid) || case tg.tgenabled when 'D' then ' (disabled)' when 'R' then ' (replica only)' when
      'A' then ' (always)' else '' end,
    n.nspname, c.relname
  from pg_trigger tg join pg_class c on c.oid = tg.tgrelid join ns n on n.oid = c.relnamespace
  where not tg.tgisinternal
    and not exists (select 1 from ext e where e.classid = 'pg_class'::regclass and e.objid = c.oid)`;

const policies = `
  select 'policy ' || quote_ident(n.nspname) || '.' || quote_ident(c.relname) || '.' || quote_ident(po.polname),
    concat_ws(' ', case when po.polpermissive then 'permissive' else 'restrictive' end,
      'for ' || case po.polcmd when 'r' then 'select' when 'a' then 'insert' when 'w' then 'update' when 'd' then
        'delete' else 'all' end,
      'to ' || (select string_agg(case when r = 0 then 'public' else quote_ident(pg_get_userbyid(r)) end, ', ' order
        by 1) from unnest(po.polroles) r),
      'using (' || pg_get_expr(po.polqual, po.polrelid) || ')',
      'with check (' || pg_get_expr(po.polwithcheck, po.polrelid) || ')'),
    n.nspname, c.relname
  from pg_policy po join pg_class c on c.oid = po.polrelid join ns n on n.oid = c.relnamespace`;

const parts = [schemas, extensions, relations, columns, indexes, constraints, types, functions, triggers, policies];

/** key, def, owner_schema, owner_table for every user object of the database. */
export const catalogQuery = `
with ns as (${userSchemas}), ext as (${extensionMembers})
${parts.join('\nunion all\n')}`;
