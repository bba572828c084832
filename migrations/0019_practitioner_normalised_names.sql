-- Practitioner name searches read the normalised names from their indexes alone. Computed at each match
-- (dir_norm: unaccent + lower, 1.5 µs) and checked against the other name and the generation in the heap, counting
-- the first thousand matches of a three-letter prefix took 10 ms on 400 000 practitioners; stored once per row and
-- carried by both indexes, a count or a page is an index-only scan.
alter table dir_professional
  add column nom_norm text generated always as (dir_norm(nom_exercice)) stored,
  add column prenom_norm text generated always as (dir_norm(prenom_exercice)) stored;

drop index dir_professional_family;
drop index dir_professional_given;
create index dir_professional_family on dir_professional ((nom_norm collate "C"), id_nat)
  include (prenom_norm, created_import);
create index dir_professional_given on dir_professional ((prenom_norm collate "C"), id_nat)
  include (nom_norm, created_import);
