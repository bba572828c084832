-- Sync of the mirror from the national Annuaire Santé FHIR API (src/directory/sync).
-- The national API links resources by technical ids (`Practitioner/003-…`, `Organization/001-…`) while the mirror
-- is keyed by business identifiers (idNat_PS, FINESS): the two mapping tables keep that correspondence between
-- syncs, so that a delta holding only a PractitionerRole still finds its practitioner and its structure.
create table dir_sync_practitioner (
  upstream_id text primary key,
  id_nat text not null,
  profession_code text,
  profession text,
  categorie_code text,
  categorie text
);
create table dir_sync_organization (
  upstream_id text primary key,
  finess text,
  id_nat_struct text,
  siret text,
  name text
);

-- One row: where the running sync is, so that a crashed sync resumes from its last page. `cursors` holds, per
-- resource type fetched, the next page to read and whether the stream is done.
create table dir_sync_state (
  id integer primary key check (id = 1),
  import_id integer not null references dir_import (id),
  base_url text not null,
  mode text not null check (mode in ('full', 'delta')),
  since timestamptz,
  started_at timestamptz not null,
  cursors jsonb not null default '{}'::jsonb,
  -- Newest meta.lastUpdated received, by the API's clock: where the next delta starts.
  high_water timestamptz,
  pages integer not null default 0,
  entries integer not null default 0
);

-- Pages are staged here (unlogged: a crash of the sync keeps them, the served tables never see them) and turned
-- into the import's staging rows once every page has arrived.
create unlogged table dir_sync_practitioner_stg (like dir_sync_practitioner);
create unlogged table dir_sync_organization_stg (like dir_sync_organization);
create unlogged table dir_sync_role_stg (
  key text not null,
  practitioner_ref text,
  organization_ref text,
  organization_system text,
  organization_value text,
  organization_name text,
  mode_code text,
  mode text,
  role_code text,
  role text,
  genre_code text,
  genre text
);
create unlogged table dir_sync_gone_stg (
  resource text not null,
  key text not null
);
create unlogged table dir_sync_role_mailbox_stg (
  role_key text not null,
  type text,
  adresse text not null,
  service text,
  dematerialisation text
);
