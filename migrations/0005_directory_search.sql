-- Search indexes for the FHIR and REST reads of the directory mirror (src/directory/fhir).
-- `dir_norm` is the one normalisation of string searches (case- and accent-insensitive, as the national API):
-- unaccent is only STABLE, so an IMMUTABLE wrapper with an explicit dictionary makes it indexable.
create function dir_norm(text) returns text
  language sql immutable parallel safe strict
  as $$ select lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$;

create index dir_professional_pp_id on dir_professional (pp_id);
create index dir_professional_family on dir_professional (dir_norm(nom_exercice) text_pattern_ops);
create index dir_professional_given on dir_professional (dir_norm(prenom_exercice) text_pattern_ops);
create index dir_professional_family_trgm on dir_professional using gin (dir_norm(nom_exercice) gin_trgm_ops);

-- PractitionerRole ids are the md5 of the activity key (a FHIR id may not hold its `|` separators).
create index dir_activity_id on dir_activity (md5(key));
create index dir_activity_structure on dir_activity (structure_id);
create index dir_activity_postal on dir_activity (code_postal text_pattern_ops, profession_code);
create index dir_activity_departement on dir_activity (departement_code, profession_code);
create index dir_activity_profession on dir_activity (profession_code);

-- A resource's last change is the newest of its parts': (id_nat, changed_at) answers each max() from the index,
-- where a plan on changed_at alone would walk the whole history backwards.
drop index dir_activity_id_nat;
create index dir_activity_id_nat on dir_activity (id_nat, changed_at);
drop index dir_savoir_faire_id_nat;
create index dir_savoir_faire_id_nat on dir_savoir_faire (id_nat, changed_at);
drop index dir_diploma_id_nat;
create index dir_diploma_id_nat on dir_diploma (id_nat, changed_at);
drop index dir_mailbox_id_nat;
create index dir_mailbox_id_nat on dir_mailbox (id_nat, changed_at);

create index dir_savoir_faire_code on dir_savoir_faire (code);
create index dir_savoir_faire_changed on dir_savoir_faire (changed_at);
create index dir_diploma_changed on dir_diploma (changed_at);
create index dir_mailbox_structure on dir_mailbox (structure_id);
create index dir_mailbox_changed on dir_mailbox (changed_at);
create index dir_mailbox_norm on dir_mailbox (dir_norm(adresse) text_pattern_ops);

create index dir_structure_siret on dir_structure (siret);
create index dir_structure_postal on dir_structure (code_postal);
create index dir_structure_name on dir_structure (dir_norm(raison_sociale) text_pattern_ops);
create index dir_structure_categorie on dir_structure (categorie_code);
create index dir_structure_changed on dir_structure (changed_at);
