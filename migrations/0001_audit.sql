-- Append-only, hash-chained audit trail (src/audit). Each row's hash covers its content and the previous hash.
create table audit_event (
  seq bigint primary key check (seq > 0),
  occurred_at timestamptz not null,
  action text not null check (action ~ '^[a-z][a-z0-9_.-]*$'),
  outcome text not null check (outcome in ('success', 'failure', 'denied')),
  actor_kind text not null check (actor_kind in ('professional', 'usager', 'aidant', 'software', 'system')),
  actor_id text,
  structure_finess text check (structure_finess ~ '^[0-9][0-9A-Z][0-9]{7}$'),
  mie text,
  mie_level text,
  subject_type text,
  subject_id text,
  request_id text,
  details jsonb not null default '{}'::jsonb,
  prev_hash text not null check (prev_hash ~ '^[0-9a-f]{64}$'),
  hash text not null unique check (hash ~ '^[0-9a-f]{64}$')
);

create index audit_event_actor on audit_event (actor_id, seq);
create index audit_event_structure on audit_event (structure_finess, seq);
create index audit_event_subject on audit_event (subject_type, subject_id, seq);
create index audit_event_action on audit_event (action, seq);
create index audit_event_time on audit_event (occurred_at);

create function audit_event_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'audit_event est en ajout seul : % refusé', tg_op using errcode = '42501';
end;
$$;

create trigger audit_event_no_update before update or delete on audit_event
  for each row execute function audit_event_append_only();
create trigger audit_event_no_truncate before truncate on audit_event
  for each statement execute function audit_event_append_only();
