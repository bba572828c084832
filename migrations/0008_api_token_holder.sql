-- A personal token may name its holder's idNat_PS, so that console actions are traced to the professional
-- (until Pro Santé Connect signs agents in).
alter table api_token add column id_nat text check (id_nat is null or id_nat ~ '^[08][0-9]{9,11}$');
