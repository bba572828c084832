-- Practitioner searches by name page in name order (normalised name, then idNat_PS), each page read straight from
-- these indexes: ordered by idNat_PS, a three-letter prefix had to read and sort every match (tens of thousands on a
-- national directory) to serve fifty. Byte order ("C") keeps the prefix a plain index range.
drop index dir_professional_family;
drop index dir_professional_given;
create index dir_professional_family on dir_professional ((dir_norm(nom_exercice) collate "C"), id_nat);
create index dir_professional_given on dir_professional ((dir_norm(prenom_exercice) collate "C"), id_nat);
