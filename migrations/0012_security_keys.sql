-- FIDO2/WebAuthn security keys of the local accounts (src/auth/local/security-keys.ts), and one-time enrolment
-- links an administrator hands over.
create table local_security_key (
  credential_id text primary key,
  id_nat text not null references local_account (id_nat) on delete cascade,
  public_key bytea not null,
  counter bigint not null default 0,
  transports text[] not null default '{}',
  created_at timestamptz not null default now(),
  last_used_at timestamptz
);
create index local_security_key_holder on local_security_key (id_nat);

create table local_key_enrolment (
  token_hash text primary key,
  id_nat text not null references local_account (id_nat) on delete cascade,
  expires_at timestamptz not null,
  used_at timestamptz
);
