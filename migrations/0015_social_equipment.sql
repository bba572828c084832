-- Social equipment of ESMS (FINESS `equipementsocial` records of the etalab cs1100505 file): one row per site and
-- FINESS triplet discipline / activité (mode de fonctionnement) / clientèle, served as FHIR HealthcareService
-- (as-dp-healthcareservice-social-equipment). Same life cycle as the other mirrored resources.

create table dir_equipment (
  key text primary key,
  finess text not null,
  discipline_code text,
  discipline text,
  activite_code text,
  activite text,
  clientele_code text,
  clientele text,
  source_info text,
  capacite_installee text,
  capacite_installee_hommes text,
  capacite_installee_femmes text,
  capacite_installee_aide_sociale text,
  age_min_installe text,
  age_max_installe text,
  installation_supprimee text,
  date_derniere_installation text,
  date_premiere_autorisation text,
  capacite_autorisee text,
  capacite_autorisee_hommes text,
  capacite_autorisee_femmes text,
  capacite_autorisee_aide_sociale text,
  age_min_autorise text,
  age_max_autorise text,
  autorisation_supprimee text,
  date_autorisation text,
  date_maj_autorisation text,
  date_maj_installation text,
  row_hash text not null,
  active boolean not null default true,
  created_import integer not null,
  changed_import integer not null,
  changed_at timestamptz not null,
  deactivated_at timestamptz
);
create unlogged table dir_equipment_stg (
  line integer not null,
  key text not null,
  finess text not null,
  discipline_code text,
  discipline text,
  activite_code text,
  activite text,
  clientele_code text,
  clientele text,
  source_info text,
  capacite_installee text,
  capacite_installee_hommes text,
  capacite_installee_femmes text,
  capacite_installee_aide_sociale text,
  age_min_installe text,
  age_max_installe text,
  installation_supprimee text,
  date_derniere_installation text,
  date_premiere_autorisation text,
  capacite_autorisee text,
  capacite_autorisee_hommes text,
  capacite_autorisee_femmes text,
  capacite_autorisee_aide_sociale text,
  age_min_autorise text,
  age_max_autorise text,
  autorisation_supprimee text,
  date_autorisation text,
  date_maj_autorisation text,
  date_maj_installation text
);
create index dir_equipment_finess on dir_equipment (finess);
create index dir_equipment_id on dir_equipment (md5(key));
create index dir_equipment_changed on dir_equipment (changed_at);

create function dir_equipment_rows(keys text[]) returns table (
  key text, id text, finess text, discipline_code text, discipline text, activite_code text, activite text,
  clientele_code text, clientele text, capacite_installee text, capacite_autorisee text,
  installation_supprimee text, autorisation_supprimee text, date_derniere_installation text,
  date_autorisation text, age_min_autorise text, age_max_autorise text, age_min_installe text,
  age_max_installe text, active boolean, has_organization boolean, last_updated timestamptz
) language plpgsql stable set plan_cache_mode = force_generic_plan as $$
#variable_conflict use_column
begin
  return query
  select t.key, md5(t.key), t.finess, t.discipline_code, t.discipline, t.activite_code, t.activite,
    t.clientele_code, t.clientele, t.capacite_installee, t.capacite_autorisee, t.installation_supprimee,
    t.autorisation_supprimee, t.date_derniere_installation, t.date_autorisation, t.age_min_autorise,
    t.age_max_autorise, t.age_min_installe, t.age_max_installe, t.active,
    exists (select 1 from dir_structure s where s.finess = t.finess), t.changed_at
  from dir_equipment t where t.key = any(keys) order by t.key;
end $$;
