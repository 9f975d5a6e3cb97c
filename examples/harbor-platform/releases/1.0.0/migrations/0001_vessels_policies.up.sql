-- Vessels we insure, and the policies the quote page sold for them.
create table vessels (
  id bigint generated always as identity primary key,
  name text not null,
  vessel_class text not null,
  tonnage integer not null check (tonnage > 0),
  created_at timestamptz not null default now()
);

create table policies (
  id bigint generated always as identity primary key,
  vessel_id bigint not null references vessels (id),
  route_risk smallint not null check (route_risk between 1 and 5),
  premium numeric(12, 2) not null,
  currency text not null,
  backend_release text not null,
  pricing_release text not null,
  created_at timestamptz not null default now()
);

create index policies_vessel_id_idx on policies (vessel_id);
