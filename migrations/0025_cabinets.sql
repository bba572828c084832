-- Structures known only from the RPPS (cabinets, sociétés d'exercice, employers without FINESS): the national API
-- serves them as Organization, and a DUI following a PractitionerRole's organization expects to find them. One row
-- per technical structure identifier, derived from the activities that name it (imports) or read from the API's
-- Organization resources (syncs), with the change dates of the other mirrored resources.
create table dir_cabinet (
  structure_id text primary key,
  siret text,
  raison_sociale text,
  enseigne text,
  complement_destinataire text,
  complement_geo text,
  numero_voie text,
  indice_repetition text,
  type_voie text,
  libelle_voie text,
  mention_distribution text,
  cedex text,
  code_postal text,
  commune text,
  telephone text,
  telecopie text,
  email text,
  departement_code text,
  row_hash text not null,
  active boolean not null default true,
  created_import integer not null,
  changed_import integer not null,
  changed_at timestamptz not null,
  deactivated_at timestamptz
);
create unlogged table dir_cabinet_stg (
  line integer not null,
  structure_id text not null,
  siret text,
  raison_sociale text,
  enseigne text,
  complement_destinataire text,
  complement_geo text,
  numero_voie text,
  indice_repetition text,
  type_voie text,
  libelle_voie text,
  mention_distribution text,
  cedex text,
  code_postal text,
  commune text,
  telephone text,
  telecopie text,
  email text,
  departement_code text
);
-- A mirror made before keeps its activities: their cabinets are derived from them at once, with their dates, as an
-- import would have (the next imports compare lines with the mirror's and stage only those that changed); before
-- the indexes, which are built once rather than row by row.
insert into dir_cabinet (structure_id, siret, raison_sociale, enseigne, complement_destinataire, complement_geo, numero_voie, indice_repetition, type_voie, libelle_voie, mention_distribution, cedex, code_postal, commune, telephone, telecopie, email, departement_code,
  row_hash, active, created_import, changed_import, changed_at)
select distinct on (structure_id) structure_id, siret, raison_sociale, enseigne, complement_destinataire, complement_geo, numero_voie, indice_repetition, type_voie, libelle_voie, mention_distribution, cedex, code_postal, commune, telephone, telecopie, email, departement_code,
  md5(row(siret, raison_sociale, enseigne, complement_destinataire, complement_geo, numero_voie, indice_repetition, type_voie, libelle_voie, mention_distribution, cedex, code_postal, commune, telephone, telecopie, email, departement_code)::text), true, created_import, changed_import, changed_at
from dir_activity where active and finess_site is null and structure_id is not null order by structure_id, key;

-- An Organization search by name, postal code or city reads both tables' indexes: a scan of either in id order,
-- filtered, would walk all of it whenever it holds few matches (880 000 cabinets nationally, 3 s).
create index dir_cabinet_changed on dir_cabinet (changed_at);
create index dir_cabinet_siret on dir_cabinet (siret);
create index dir_cabinet_postal on dir_cabinet (code_postal text_pattern_ops);
create index dir_cabinet_name on dir_cabinet (dir_norm(raison_sociale) text_pattern_ops);
create index dir_cabinet_enseigne on dir_cabinet (dir_norm(enseigne) text_pattern_ops);
create index dir_cabinet_city on dir_cabinet (dir_norm(commune) text_pattern_ops);
create index dir_structure_long_name on dir_structure (dir_norm(raison_sociale_longue) text_pattern_ops);
create index dir_structure_postal_prefix on dir_structure (code_postal text_pattern_ops);
create index dir_structure_city on dir_structure (dir_norm(substr(ligne_acheminement, 7)) text_pattern_ops);
alter table dir_cabinet
  alter column enseigne set statistics 0, alter column complement_destinataire set statistics 0,
  alter column complement_geo set statistics 0, alter column numero_voie set statistics 0,
  alter column indice_repetition set statistics 0, alter column type_voie set statistics 0,
  alter column libelle_voie set statistics 0, alter column mention_distribution set statistics 0,
  alter column cedex set statistics 0, alter column telephone set statistics 0,
  alter column telecopie set statistics 0, alter column email set statistics 0,
  alter column departement_code set statistics 0, alter column row_hash set statistics 0;
-- Statistics for the cabinets just derived, so that searches are planned well from the first one.
analyze dir_cabinet;

-- Every Organization the API serves, FINESS structures and cabinets, with the columns its searches read: a search
-- reads a page from each (their indexes answer its conditions) and merges them in id order (search.ts).
create view dir_organization_finess as
  select finess as id, finess, finess_ej, siret, raison_sociale,
    raison_sociale_longue, code_postal, substr(ligne_acheminement, 7) as commune, categorie_code, active,
    created_import, changed_at, deactivated_at
  from dir_structure;
create view dir_organization_cabinet as
  select structure_id as id, null::text as finess, null::text as finess_ej, siret,
    raison_sociale, enseigne as raison_sociale_longue, code_postal, commune, null::text as categorie_code, active,
    created_import, changed_at, deactivated_at
  from dir_cabinet;
create view dir_organization as
  select * from dir_organization_finess union all select * from dir_organization_cabinet;

create function dir_cabinet_rows(ids text[]) returns table (
  structure_id text, siret text, raison_sociale text, enseigne text, complement_destinataire text,
  complement_geo text, numero_voie text, indice_repetition text, type_voie text, libelle_voie text,
  mention_distribution text, cedex text, code_postal text, commune text, telephone text, telecopie text,
  email text, departement_code text, active boolean, last_updated timestamptz, mailboxes json
) language plpgsql stable set plan_cache_mode = force_generic_plan as $$
#variable_conflict use_column
begin
  return query
  select t.structure_id, t.siret, t.raison_sociale, t.enseigne, t.complement_destinataire, t.complement_geo,
    t.numero_voie, t.indice_repetition, t.type_voie, t.libelle_voie, t.mention_distribution, t.cedex, t.code_postal,
    t.commune, t.telephone, t.telecopie, t.email, t.departement_code, t.active,
    greatest(t.changed_at, (select max(x.changed_at) from dir_mailbox x where x.structure_id = t.structure_id and x.id_nat is null)),
    (select coalesce(json_agg(x), '[]') from (
      select x.id_nat, x.structure_id, x.type, x.adresse, x.service, x.dematerialisation
      from dir_mailbox x where x.active and x.id_nat is null and x.structure_id = t.structure_id order by x.adresse) x)
  from dir_cabinet t where t.structure_id = any(ids) order by t.structure_id;
end $$;

-- A role's structure is an Organization when the mirror holds it: a FINESS structure or a cabinet.
drop function if exists dir_role_rows(text[]);
create function dir_role_rows(keys text[]) returns table (
  key text, id text, id_nat text, nom_exercice text, prenom_exercice text, mode_code text, mode text,
  role_code text, role text, genre_code text, genre text, finess_site text, siret text, structure_id text,
  raison_sociale text, active boolean, has_organization boolean, has_cabinet boolean, last_updated timestamptz,
  mailboxes json
) language plpgsql stable set plan_cache_mode = force_generic_plan as $$
#variable_conflict use_column
begin
  return query
  select t.key, md5(t.key), t.id_nat, t.nom_exercice, t.prenom_exercice, t.mode_code, t.mode, t.role_code, t.role,
    t.genre_code, t.genre, t.finess_site, t.siret, t.structure_id, t.raison_sociale, t.active,
    exists (select 1 from dir_structure s where s.finess = t.finess_site),
    t.finess_site is null and exists (select 1 from dir_cabinet c where c.structure_id = t.structure_id),
    greatest(t.changed_at, (select max(x.changed_at) from dir_mailbox x
      where x.id_nat = t.id_nat and x.structure_id in (t.structure_id, t.finess_site))),
    (select coalesce(json_agg(x), '[]') from (
      select x.id_nat, x.structure_id, x.type, x.adresse, x.service, x.dematerialisation
      from dir_mailbox x where x.active and x.id_nat = t.id_nat and x.structure_id in (t.structure_id, t.finess_site)
      order by x.adresse) x)
  from dir_activity t where t.key = any(keys) order by t.key;
end $$;
