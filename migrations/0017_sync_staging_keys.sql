-- The sync now indexes its staging tables only once all pages are in, uniquely (src/directory/sync/sync.ts), and
-- drops those indexes before loading pages; the indexes it used to create and keep are dropped here.
drop index if exists dir_sync_practitioner_stg_id;
drop index if exists dir_sync_organization_stg_id;
