-- Fingerprint of the source line each row was last read from (src/directory/import/fingerprints.ts): an import
-- recognises unchanged lines by it and stages only the others. Null for rows that came from the national API.
alter table dir_activity add column line_hash bigint;
alter table dir_activity_stg add column line_hash bigint;
alter table dir_savoir_faire add column line_hash bigint;
alter table dir_savoir_faire_stg add column line_hash bigint;
alter table dir_diploma add column line_hash bigint;
alter table dir_diploma_stg add column line_hash bigint;
alter table dir_mailbox add column line_hash bigint;
alter table dir_mailbox_stg add column line_hash bigint;

-- Rows whose source line the imported file no longer has (by fingerprint, or without one): the rows a day of
-- changes may deactivate, by key.
create unlogged table dir_line_gone_stg (
  tbl text not null,
  line_hash bigint,
  key text
);
