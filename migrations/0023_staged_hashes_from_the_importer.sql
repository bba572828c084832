-- On PGlite the importer sends each line's content hash with the line (src/directory/import/line-stager.ts: the same
-- md5 of the row's text form, computed in Node, cheaper there than PL/pgSQL in the same thread); the staging
-- triggers of migration 0021 only fill a hash that is missing. Checked by the WHEN clause, in C, so that a supplied
-- hash costs no PL/pgSQL call.
drop trigger dir_activity_stg_hash on dir_activity_stg;
create trigger dir_activity_stg_hash before insert on dir_activity_stg
  for each row when (new.row_hash is null) execute function dir_activity_stg_hash();
drop trigger dir_savoir_faire_stg_hash on dir_savoir_faire_stg;
create trigger dir_savoir_faire_stg_hash before insert on dir_savoir_faire_stg
  for each row when (new.row_hash is null) execute function dir_savoir_faire_stg_hash();
drop trigger dir_diploma_stg_hash on dir_diploma_stg;
create trigger dir_diploma_stg_hash before insert on dir_diploma_stg
  for each row when (new.row_hash is null) execute function dir_diploma_stg_hash();
drop trigger dir_mailbox_stg_hash on dir_mailbox_stg;
create trigger dir_mailbox_stg_hash before insert on dir_mailbox_stg
  for each row when (new.row_hash is null) execute function dir_mailbox_stg_hash();
