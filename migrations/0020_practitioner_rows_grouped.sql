-- A page of practitioners reads each part table once for all its practitioners (`= any(ids)`, grouped), instead of
-- eight correlated subqueries per practitioner (four aggregates, four change dates): fifty practitioners took
-- 2.5–3.8 ms, 1.5–1.7 ms since, on 400 000 practitioners. Same rows, same JSON values.
create or replace function dir_practitioner_rows(ids text[]) returns table (
  id_nat text, id_type text, pp_id text, civilite_code text, civilite_exercice_code text, nom_exercice text,
  prenom_exercice text, active boolean, last_updated timestamptz,
  professions json, savoir_faire json, diplomas json, mailboxes json
) language plpgsql stable set plan_cache_mode = force_generic_plan as $$
#variable_conflict use_column
begin
  return query
  with a as (
    select x.id_nat, max(x.changed_at) as changed_at,
      coalesce(json_agg(json_build_object('id_nat', x.id_nat, 'profession_code', x.profession_code, 'profession', x.profession,
        'categorie_code', x.categorie_code, 'categorie', x.categorie) order by x.profession_code, x.categorie_code)
        filter (where x.first), '[]') as parts
    from (select a.*, a.active and row_number() over (partition by a.id_nat, a.active, a.profession_code, a.profession, a.categorie_code, a.categorie) = 1 as first
          from dir_activity a where a.id_nat = any(ids)) x group by x.id_nat
  ), s as (
    select x.id_nat, max(x.changed_at) as changed_at,
      coalesce(json_agg(json_build_object('id_nat', x.id_nat, 'type_code', x.type_code, 'type', x.type, 'code', x.code, 'libelle', x.libelle) order by x.key) filter (where x.active), '[]') as parts
    from dir_savoir_faire x where x.id_nat = any(ids) group by x.id_nat
  ), d as (
    select x.id_nat, max(x.changed_at) as changed_at,
      coalesce(json_agg(json_build_object('id_nat', x.id_nat, 'type_diplome_code', x.type_diplome_code, 'type_diplome', x.type_diplome,
        'diplome_code', x.diplome_code, 'diplome', x.diplome, 'type_autorisation_code', x.type_autorisation_code,
        'type_autorisation', x.type_autorisation, 'discipline_code', x.discipline_code, 'discipline', x.discipline) order by x.key) filter (where x.active), '[]') as parts
    from dir_diploma x where x.id_nat = any(ids) group by x.id_nat
  ), m as (
    select x.id_nat, max(x.changed_at) as changed_at,
      coalesce(json_agg(json_build_object('id_nat', x.id_nat, 'structure_id', x.structure_id, 'type', x.type, 'adresse', x.adresse,
        'service', x.service, 'dematerialisation', x.dematerialisation) order by x.adresse) filter (where x.active), '[]') as parts
    from dir_mailbox x where x.id_nat = any(ids) and x.structure_id is null group by x.id_nat
  )
  select t.id_nat, t.id_type, t.pp_id, t.civilite_code, t.civilite_exercice_code, t.nom_exercice, t.prenom_exercice,
    t.active, greatest(t.changed_at, a.changed_at, s.changed_at, d.changed_at, m.changed_at),
    coalesce(a.parts, '[]'), coalesce(s.parts, '[]'), coalesce(d.parts, '[]'), coalesce(m.parts, '[]')
  from dir_professional t
  left join a on a.id_nat = t.id_nat left join s on s.id_nat = t.id_nat
  left join d on d.id_nat = t.id_nat left join m on m.id_nat = t.id_nat
  where t.id_nat = any(ids) order by t.id_nat;
end $$;
