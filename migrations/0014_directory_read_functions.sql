-- The FHIR API's reads of whole resources, as PL/pgSQL functions: their queries (four correlated aggregates for a
-- practitioner) cost more to plan than to run, and PL/pgSQL keeps their plans per connection. A search plans
-- only its own key query and hands the keys over. The generic plan is forced: with an array of keys PostgreSQL
-- would otherwise judge it costlier than a custom one and plan again at every call.

create function dir_practitioner_rows(ids text[]) returns table (
  id_nat text, id_type text, pp_id text, civilite_code text, civilite_exercice_code text, nom_exercice text,
  prenom_exercice text, active boolean, last_updated timestamptz,
  professions json, savoir_faire json, diplomas json, mailboxes json
) language plpgsql stable set plan_cache_mode = force_generic_plan as $$
#variable_conflict use_column
begin
  return query
  select t.id_nat, t.id_type, t.pp_id, t.civilite_code, t.civilite_exercice_code, t.nom_exercice, t.prenom_exercice,
    t.active,
    greatest(t.changed_at,
      (select max(x.changed_at) from dir_activity x where x.id_nat = t.id_nat),
      (select max(x.changed_at) from dir_savoir_faire x where x.id_nat = t.id_nat),
      (select max(x.changed_at) from dir_diploma x where x.id_nat = t.id_nat),
      (select max(x.changed_at) from dir_mailbox x where x.id_nat = t.id_nat and x.structure_id is null)),
    (select coalesce(json_agg(x), '[]') from (
      select distinct a.id_nat, a.profession_code, a.profession, a.categorie_code, a.categorie
      from dir_activity a where a.active and a.id_nat = t.id_nat order by a.profession_code, a.categorie_code) x),
    (select coalesce(json_agg(x), '[]') from (
      select s.id_nat, s.type_code, s.type, s.code, s.libelle
      from dir_savoir_faire s where s.active and s.id_nat = t.id_nat order by s.key) x),
    (select coalesce(json_agg(x), '[]') from (
      select d.id_nat, d.type_diplome_code, d.type_diplome, d.diplome_code, d.diplome, d.type_autorisation_code,
        d.type_autorisation, d.discipline_code, d.discipline
      from dir_diploma d where d.active and d.id_nat = t.id_nat order by d.key) x),
    (select coalesce(json_agg(x), '[]') from (
      select m.id_nat, m.structure_id, m.type, m.adresse, m.service, m.dematerialisation
      from dir_mailbox m where m.active and m.structure_id is null and m.id_nat = t.id_nat order by m.adresse) x)
  from dir_professional t where t.id_nat = any(ids) order by t.id_nat;
end $$;

create function dir_role_rows(keys text[]) returns table (
  key text, id text, id_nat text, nom_exercice text, prenom_exercice text, mode_code text, mode text,
  role_code text, role text, genre_code text, genre text, finess_site text, siret text, structure_id text,
  raison_sociale text, active boolean, has_organization boolean, last_updated timestamptz, mailboxes json
) language plpgsql stable set plan_cache_mode = force_generic_plan as $$
#variable_conflict use_column
begin
  return query
  select t.key, md5(t.key), t.id_nat, t.nom_exercice, t.prenom_exercice, t.mode_code, t.mode, t.role_code, t.role,
    t.genre_code, t.genre, t.finess_site, t.siret, t.structure_id, t.raison_sociale, t.active,
    exists (select 1 from dir_structure s where s.finess = t.finess_site),
    greatest(t.changed_at, (select max(x.changed_at) from dir_mailbox x
      where x.id_nat = t.id_nat and x.structure_id in (t.structure_id, t.finess_site))),
    (select coalesce(json_agg(x), '[]') from (
      select x.id_nat, x.structure_id, x.type, x.adresse, x.service, x.dematerialisation
      from dir_mailbox x where x.active and x.id_nat = t.id_nat and x.structure_id in (t.structure_id, t.finess_site)
      order by x.adresse) x)
  from dir_activity t where t.key = any(keys) order by t.key;
end $$;

create function dir_organization_rows(numbers text[]) returns table (
  finess text, finess_ej text, raison_sociale text, raison_sociale_longue text, complement_rs text,
  complement_distribution text, numero_voie text, type_voie text, voie text, complement_voie text, lieu_dit text,
  commune text, departement text, ligne_acheminement text, code_postal text, telephone text, telecopie text,
  categorie_code text, categorie text, siret text, date_ouverture text, lat double precision, lon double precision,
  active boolean, last_updated timestamptz, mailboxes json
) language plpgsql stable set plan_cache_mode = force_generic_plan as $$
#variable_conflict use_column
begin
  return query
  select t.finess, t.finess_ej, t.raison_sociale, t.raison_sociale_longue, t.complement_rs, t.complement_distribution,
    t.numero_voie, t.type_voie, t.voie, t.complement_voie, t.lieu_dit, t.commune, t.departement, t.ligne_acheminement,
    t.code_postal, t.telephone, t.telecopie, t.categorie_code, t.categorie, t.siret, t.date_ouverture, t.lat, t.lon,
    t.active,
    greatest(t.changed_at, (select max(x.changed_at) from dir_mailbox x where x.structure_id = t.finess and x.id_nat is null)),
    (select coalesce(json_agg(x), '[]') from (
      select x.id_nat, x.structure_id, x.type, x.adresse, x.service, x.dematerialisation
      from dir_mailbox x where x.active and x.id_nat is null and x.structure_id = t.finess order by x.adresse) x)
  from dir_structure t where t.finess = any(numbers) order by t.finess;
end $$;
