-- Statistics only for the columns searches, joins and groupings read: the others (labels, addresses, telecoms,
-- names repeated from the professional, hashes) are only displayed, and sampling them was most of the cost of the
-- analyze that follows an import or a sync (it ends a sync, after the last page, when nothing overlaps it).
alter table dir_activity
  alter column civilite_exercice_code set statistics 0, alter column civilite_exercice set statistics 0,
  alter column civilite_code set statistics 0, alter column civilite set statistics 0,
  alter column nom_exercice set statistics 0, alter column prenom_exercice set statistics 0,
  alter column profession set statistics 0, alter column categorie set statistics 0,
  alter column savoir_faire_type_code set statistics 0, alter column savoir_faire_type set statistics 0,
  alter column savoir_faire_code set statistics 0, alter column savoir_faire set statistics 0,
  alter column mode set statistics 0, alter column siren set statistics 0, alter column finess_ej set statistics 0,
  alter column raison_sociale set statistics 0, alter column enseigne set statistics 0,
  alter column complement_destinataire set statistics 0, alter column complement_geo set statistics 0,
  alter column numero_voie set statistics 0, alter column indice_repetition set statistics 0,
  alter column type_voie_code set statistics 0, alter column type_voie set statistics 0,
  alter column libelle_voie set statistics 0, alter column mention_distribution set statistics 0,
  alter column cedex set statistics 0, alter column commune_code set statistics 0,
  alter column pays_code set statistics 0, alter column pays set statistics 0,
  alter column telephone set statistics 0, alter column telephone2 set statistics 0,
  alter column telecopie set statistics 0, alter column email set statistics 0,
  alter column departement set statistics 0, alter column ancien_id_structure set statistics 0,
  alter column autorite set statistics 0, alter column secteur set statistics 0,
  alter column section_pharma_code set statistics 0, alter column section_pharma set statistics 0,
  alter column role set statistics 0, alter column genre set statistics 0,
  alter column row_hash set statistics 0, alter column line_hash set statistics 0;
alter table dir_diploma
  alter column id_type set statistics 0, alter column pp_id set statistics 0,
  alter column nom_exercice set statistics 0, alter column prenom_exercice set statistics 0,
  alter column type_diplome set statistics 0, alter column diplome set statistics 0,
  alter column type_autorisation set statistics 0, alter column discipline set statistics 0,
  alter column row_hash set statistics 0, alter column line_hash set statistics 0;
alter table dir_mailbox
  alter column civilite_exercice set statistics 0, alter column nom_exercice set statistics 0,
  alter column prenom_exercice set statistics 0, alter column categorie_code set statistics 0,
  alter column categorie set statistics 0, alter column profession_code set statistics 0,
  alter column profession set statistics 0, alter column savoir_faire_code set statistics 0,
  alter column savoir_faire set statistics 0, alter column raison_sociale set statistics 0,
  alter column enseigne set statistics 0, alter column complement_localisation set statistics 0,
  alter column complement_distribution set statistics 0, alter column numero_voie set statistics 0,
  alter column complement_numero_voie set statistics 0, alter column type_voie set statistics 0,
  alter column libelle_voie set statistics 0, alter column lieu_dit set statistics 0,
  alter column ligne_acheminement set statistics 0, alter column code_postal set statistics 0,
  alter column departement set statistics 0, alter column pays set statistics 0,
  alter column row_hash set statistics 0, alter column line_hash set statistics 0;
alter table dir_savoir_faire
  alter column id_type set statistics 0, alter column pp_id set statistics 0,
  alter column nom_exercice set statistics 0, alter column prenom_exercice set statistics 0,
  alter column profession_code set statistics 0, alter column profession set statistics 0,
  alter column categorie_code set statistics 0, alter column categorie set statistics 0,
  alter column type set statistics 0, alter column libelle set statistics 0,
  alter column row_hash set statistics 0, alter column line_hash set statistics 0;
