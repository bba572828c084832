-- The login hub (src/auth/oidc): what oidc-provider stores (sessions, codes, tokens, grants, interactions) in one
-- table keyed by model and id, its signing keys, the DUIs registered as clients with their service profile, and
-- the accounts of the people who signed in, keyed by their national identifier.
create table oidc_payload (
  model text not null,
  id text not null,
  payload jsonb not null,
  grant_id text,
  user_code text,
  uid text,
  expires_at timestamptz,
  consumed_at timestamptz,
  primary key (model, id)
);
create index oidc_payload_grant on oidc_payload (grant_id) where grant_id is not null;
create index oidc_payload_uid on oidc_payload (uid) where uid is not null;
create index oidc_payload_expires on oidc_payload (expires_at);

-- Private signing keys (JWK). The newest active key signs; retired keys stay published until retire_at.
create table oidc_key (
  kid text primary key,
  alg text not null,
  private_jwk jsonb not null,
  created_at timestamptz not null default now(),
  retire_at timestamptz
);

create table oidc_client (
  client_id text primary key,
  name text not null,
  metadata jsonb not null,
  -- What the DUI is, for the RIE rules (src/auth/policy/sensitive.ts).
  profile jsonb not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table oidc_account (
  sub text primary key,
  kind text not null check (kind in ('professionnel', 'usager', 'aidant')),
  -- idNat_PS for professionals (never PSC's `sub` nor an e-mail); the FC+ `sub` for usagers.
  external_id text not null,
  claims jsonb not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (kind, external_id)
);
