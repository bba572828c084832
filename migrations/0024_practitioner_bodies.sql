-- Practitioner resources kept as the JSON the API sends, as a FHIR server keeps its resources' text (HAPI FHIR's
-- HFJ_RES_VER): reading a practitioner is then one row instead of five tables' (the professional, activities,
-- savoir-faire, diplomas, mailboxes), and serving it neither parses nor serialises. On a national directory twelve
-- lookups of practitioners not read before took 29–32 ms from the five tables, 3.5–4.9 ms from here.
-- A merge deletes the bodies of the practitioners whose parts it changed, in its own transaction; bodies are written
-- after a merge, under the import's advisory lock, so that none is made from rows a merge is changing
-- (src/directory/fhir/bodies.ts). A practitioner without a body is read from its five tables.
create table dir_practitioner_body (
  id_nat text primary key,
  body text not null
);
-- The generation whose practitioners all had a body when the last run ended: a restarted server does not walk them
-- all again to find nothing missing (6.5 s on a national directory).
create table dir_practitioner_body_state (
  generation integer not null
);
