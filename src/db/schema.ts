import type { ColumnType, Generated } from 'kysely';

/** Kysely's view of the tables; each module documents its own in its migration. */
export interface Schema {
  schema_migration: SchemaMigrationTable;
  audit_event: AuditEventTable;
  api_token: ApiTokenTable;
  dir_import: DirImportTable;
}

export interface DirImportTable {
  id: Generated<number>;
  started_at: Generated<Date>;
  finished_at: Date | null;
  sources: ColumnType<unknown, string, string>;
  status: 'running' | 'success' | 'refused' | 'failed';
  report: ColumnType<Record<string, unknown>, string, string>;
}

export interface ApiTokenTable {
  id: string;
  name: string;
  scopes: string[];
  secret_sha256: string;
  created_at: Generated<Date>;
  last_used_at: Date | null;
  revoked_at: Date | null;
  id_nat: Generated<string | null>;
}

export interface SchemaMigrationTable {
  version: number;
  name: string;
  checksum: string;
  applied_at: Generated<Date>;
}

export interface AuditEventTable {
  seq: number;
  occurred_at: Date;
  action: string;
  outcome: string;
  actor_kind: string;
  actor_id: string | null;
  structure_finess: string | null;
  mie: string | null;
  mie_level: string | null;
  subject_type: string | null;
  subject_id: string | null;
  request_id: string | null;
  details: ColumnType<Record<string, unknown>, string, never>;
  prev_hash: string;
  hash: string;
}
