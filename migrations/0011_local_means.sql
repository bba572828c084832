-- Local identification means of the hub (src/auth/local), for the cases the RIE still allows them: a password
-- (argon2id) with a TOTP code, for a professional known by the national identifier. Failures are kept to
-- throttle (back-off after 5, at most 25 in 24 h) and lock (after 10 in a row).
create table local_account (
  id_nat text primary key,
  nom text not null,
  prenom text not null,
  password_hash text not null,
  totp_secret text not null,
  -- The last TOTP time step accepted: a code is used once.
  totp_last_step bigint not null default 0,
  consecutive_failures integer not null default 0,
  failures jsonb not null default '[]'::jsonb,
  last_failure_at timestamptz,
  locked_at timestamptz,
  enrolled_by text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
