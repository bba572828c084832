-- Accent-insensitive and trigram search, available on PostgreSQL (contrib) and bundled with PGlite.
create extension if not exists unaccent;
create extension if not exists pg_trgm;
