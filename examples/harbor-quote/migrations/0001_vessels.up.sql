-- Vessels we insure and the quotes we priced for them.
create table vessels (
  id bigint generated always as identity primary key,
  imo_number text not null unique,
  name text not null,
  vessel_class text not null,
  tonnage integer not null check (tonnage > 0),
  created_at timestamptz not null default now()
);

create table quotes (
  id bigint generated always as identity primary key,
  vessel_id bigint not null references vessels (id),
  route_risk smallint not null check (route_risk between 1 and 5),
  premium numeric(12, 2) not null,
  model text not null,
  created_at timestamptz not null default now()
);

create index quotes_vessel_id_idx on quotes (vessel_id);
