-- The national API's Organization parameters `address` and `address-line`. The views the Organization searches read
-- (migration 0025) gain the address lines as the resource gives them (resources.ts, in the same order), and those
-- lines normalised, one per text line, stored. A trigram index on that text finds the candidates of a line search,
-- which the text then confirms (a prefix starts a line). Without the index, a national search for a rare street
-- scanned 880 000 cabinets (2.7 s); checking each candidate's lines one by one instead of in the stored text, a
-- prefix found in 34 000 lines' middles took 1.6 s.

-- Both immutable (as dir_norm is), so that they can be stored: array_to_string is only stable because of other
-- element types' output functions. Null parts are left out.
create function dir_join(variadic parts text[]) returns text
  language sql immutable parallel safe
  as $$ select nullif(array_to_string(parts, ' '), '') $$;
create function dir_lines(variadic lines text[]) returns text
  language sql immutable parallel safe
  as $$ select dir_norm(array_to_string(lines, E'\n')) $$;

alter table dir_structure add column address_norm text generated always as (dir_lines(complement_rs,
  complement_voie, dir_join(numero_voie, type_voie, voie), lieu_dit, complement_distribution)) stored;
alter table dir_cabinet add column address_norm text generated always as (dir_lines(complement_destinataire,
  complement_geo, dir_join(numero_voie, indice_repetition, type_voie, libelle_voie), mention_distribution)) stored;
create index dir_structure_address on dir_structure using gin (address_norm gin_trgm_ops);
create index dir_cabinet_address on dir_cabinet using gin (address_norm gin_trgm_ops);
-- The planner weighs a line search by the text's statistics: without them it walks the whole primary key for a rare
-- street, expecting a page of matches early.
analyze dir_structure;
analyze dir_cabinet;

-- Columns are appended, so the views are replaced in place. `address_line` lists the lines `address_norm` normalises.
create or replace view dir_organization_finess as
  select finess as id, finess, finess_ej, siret, raison_sociale,
    raison_sociale_longue, code_postal, substr(ligne_acheminement, 7) as commune, categorie_code, active,
    created_import, changed_at, deactivated_at,
    array_remove(array[complement_rs, complement_voie, dir_join(numero_voie, type_voie, voie), lieu_dit,
      complement_distribution], null) as address_line,
    address_norm as address_text
  from dir_structure;
create or replace view dir_organization_cabinet as
  select structure_id as id, null::text as finess, null::text as finess_ej, siret,
    raison_sociale, enseigne as raison_sociale_longue, code_postal, commune, null::text as categorie_code, active,
    created_import, changed_at, deactivated_at,
    array_remove(array[complement_destinataire, complement_geo,
      dir_join(numero_voie, indice_repetition, type_voie, libelle_voie), mention_distribution], null) as address_line,
    address_norm as address_text
  from dir_cabinet;
create or replace view dir_organization as
  select * from dir_organization_finess union all select * from dir_organization_cabinet;
