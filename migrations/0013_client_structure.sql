-- The structure a DUI serves (FINESS of an EG or of its EJ): the situation d'exercice pre-selected at login.
alter table oidc_client add column structure_finess text;
