-- Bearer tokens for software calling /api/v1 (DUI, supervision). Only a SHA-256 of the secret is kept.
create table api_token (
  id text primary key check (id ~ '^[0-9a-f]{12}$'),
  name text not null check (length(name) between 1 and 100),
  scopes text[] not null,
  secret_sha256 text not null check (secret_sha256 ~ '^[0-9a-f]{64}$'),
  created_at timestamptz not null default now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);
