-- The prerequisites journey (src/readiness): an organisme gestionnaire (EJ) and its établissements (EG) taken
-- from the directory, the contrat d'adhésion, the people given a profile (mandataire, administrateur technique,
-- gestionnaire RPPS+), the staff registry and the structure's certificates (public part only, never a key).
create table org_organisation (
  finess_ej text primary key,
  raison_sociale text not null,
  siret text,
  -- The représentant légal orders cards and registers staff himself (with his CDE card): no mandataire needed.
  legal_rep_acts_alone boolean not null default false,
  rpps_plus_mode text not null default 'centralise' check (rpps_plus_mode in ('centralise', 'par-eg')),
  editor jsonb not null,
  dui jsonb not null,
  alert_emails text[] not null default '{}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table org_establishment (
  finess text primary key,
  finess_ej text not null references org_organisation (finess_ej),
  identity_charter boolean not null default false,
  auto_homologation boolean not null default false,
  documents_identified boolean not null default false,
  usagers_informed boolean not null default false,
  consent_collected boolean not null default false,
  mss_operator text,
  mss_partners_identified boolean not null default false,
  updated_at timestamptz not null default now()
);
create index org_establishment_ej on org_establishment (finess_ej);

create table org_contract (
  id serial primary key,
  finess_ej text not null references org_organisation (finess_ej),
  level text not null check (level in ('EJ', 'EG')),
  -- The FINESS the contract names: the EJ's (advised) or one EG's.
  finess text not null,
  representant_legal text not null,
  signed_on date not null,
  cde_received_on date,
  created_at timestamptz not null default now(),
  check (cde_received_on is null or cde_received_on >= signed_on)
);
create index org_contract_ej on org_contract (finess_ej);

create table org_role (
  id serial primary key,
  finess_ej text not null references org_organisation (finess_ej),
  -- Null: the role covers the whole organisme (centralised management).
  finess_eg text,
  role text not null check (role in ('mandataire', 'admin-tech', 'gestionnaire-rpps')),
  person text not null,
  email text,
  card text not null check (card in ('CDE', 'CPE', 'CPS', 'CPA', 'e-CPS', 'aucune')),
  health_professional boolean not null default false,
  editor_staff boolean not null default false,
  declared_via text check (declared_via in ('F502', 'F413', 'mesHabilitations')),
  declared_on date,
  created_at timestamptz not null default now(),
  check ((declared_via is null) = (declared_on is null))
);
create index org_role_ej on org_role (finess_ej);

create table org_staff (
  id text primary key,
  finess_ej text not null references org_organisation (finess_ej),
  -- The employer's own staff number: re-importing the same file updates, never duplicates.
  matricule text not null,
  finess_eg text not null,
  nom text not null,
  prenom text not null,
  fonction text not null,
  start_date date not null,
  end_date date,
  email text,
  mobile text,
  -- idNat_PS (8 + RPPS, 0 + ADELI) given by the employer or found in the directory.
  id_nat text,
  id_nat_source text check (id_nat_source in ('saisi', 'annuaire')),
  card text not null default 'aucune' check (card in ('CPE', 'CPS', 'CPA', 'e-CPS', 'aucune')),
  e_cps_active boolean not null default false,
  -- Qualifies identities or feeds the DMP with a card when the DUI works with cards.
  card_agent boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (finess_ej, matricule),
  check (end_date is null or end_date >= start_date)
);
create index org_staff_eg on org_staff (finess_eg);

create table org_certificate (
  -- SHA-256 fingerprint of the DER: the same certificate uploaded twice is one row.
  fingerprint text primary key,
  finess_ej text not null references org_organisation (finess_ej),
  usage text not null check (usage in ('insi', 'dmp-auth', 'dmp-sign', 'mss', 'autre')),
  kind text not null,
  subject text not null,
  subject_cn text,
  subject_o text,
  subject_ou text,
  issuer text not null,
  serial text not null,
  not_before timestamptz not null,
  not_after timestamptz not null,
  key_usages text[] not null,
  ext_key_usages text[] not null,
  policies text[] not null,
  der bytea not null,
  installed_on date,
  uploaded_by text not null,
  uploaded_at timestamptz not null default now(),
  -- Thresholds (days before expiry) whose alert e-mail went out.
  alerts_sent integer[] not null default '{}'
);
create index org_certificate_ej on org_certificate (finess_ej, not_after);
