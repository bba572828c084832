-- Usagers and their identity (src/identity): traits stricts as the RNIV records them, RNIV status with the
-- document check and the INSi retrieval that justify it, the INS (exposed only for a qualified identity), and the
-- identitovigilance review queue. Nothing is deleted: a merge points the duplicate at the identity kept.
create table usager (
  id text primary key,
  structure_finess text,
  nom_naissance text not null,
  prenoms_naissance text not null,
  premier_prenom text not null,
  sexe text not null check (sexe in ('M', 'F')),
  date_naissance text not null,
  lieu_naissance text not null,
  nom_utilise text,
  prenom_utilise text,
  telephone text,
  email text,
  nom_phonetique text not null,
  status text not null check (status in ('PROV', 'RECUP', 'VALI', 'QUAL')),
  method text not null,
  attributes text[] not null default '{}',
  document_mode text,
  document_checked_by text,
  document_checked_at timestamptz,
  insi_at timestamptz,
  ins_matricule text,
  ins_cle text,
  ins_oid text,
  ins_histo jsonb not null default '[]'::jsonb,
  merged_into text references usager (id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index usager_structure on usager (structure_finess, status);
create index usager_birth on usager (date_naissance, sexe);
create index usager_phonetic on usager (nom_phonetique);
create index usager_name_trgm on usager using gin (nom_naissance gin_trgm_ops);
create unique index usager_ins on usager (ins_matricule, ins_oid) where ins_matricule is not null and merged_into is null;

-- Pairs of identities that may be the same person, for a human to decide.
create table usager_review (
  id serial primary key,
  usager_a text not null references usager (id),
  usager_b text not null references usager (id),
  reason text not null,
  score real not null,
  status text not null default 'pending' check (status in ('pending', 'merged', 'distinct')),
  found_at timestamptz not null default now(),
  decided_by text,
  decided_at timestamptz,
  unique (usager_a, usager_b)
);
