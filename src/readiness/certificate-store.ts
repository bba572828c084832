import { sql } from 'kysely';
import { appendEvent } from '../audit/append.ts';
import type { Database } from '../db/connect.ts';
import {
  CertificateError,
  type CertificateKind,
  type CertificateUsage,
  type ParsedCertificate,
  usageLabels,
  usageProblems,
} from './certificates.ts';
import type { Organisation, ReadinessActor } from './organisations.ts';
import { ReadinessError } from './organisations.ts';

/** A structure's certificate as the registry keeps it: its public part and what the console needs. */
export interface StoredCertificate {
  fingerprint: string;
  usage: CertificateUsage;
  kind: CertificateKind;
  subject: string;
  cn: string | null;
  ou: string | null;
  issuer: string;
  serial: string;
  notBefore: Date;
  notAfter: Date;
  keyUsages: string[];
  extKeyUsages: string[];
  policies: string[];
  installedOn: string | null;
  uploadedBy: string;
  uploadedAt: Date;
  alertsSent: number[];
}

const audit = (
  database: Database,
  org: Organisation,
  actor: ReadinessActor,
  action: string,
  fingerprint: string,
  outcome: 'success' | 'failure' = 'success',
  details: Record<string, unknown> = {},
) =>
  appendEvent(database, {
    action: `readiness.certificate.${action}`,
    outcome,
    actor: { kind: 'professional', id: actor.id },
    structureFiness: org.finessEj,
    mie: { means: actor.means },
    subject: { type: 'certificate', id: fingerprint },
    details,
  });

/** Whether the certificate names this organisme: its EJ or one of its EGs (FINESS), or their SIRET/SIREN. */
export function belongsTo(c: ParsedCertificate, org: Organisation): boolean {
  if (!c.structure) return false;
  const finess = new Set([org.finessEj, ...org.establishments.map((e) => e.finess)]);
  const sirets = new Set(
    [org.siret, ...org.establishments.map((e) => e.record?.siret ?? null)].filter((s): s is string => !!s),
  );
  const { type, value } = c.structure;
  if (type === 'FINESS') return finess.has(value);
  if (type === 'SIRET') return sirets.has(value);
  return [...sirets].some((s) => s.startsWith(value));
}

export async function addCertificate(
  database: Database,
  org: Organisation,
  c: ParsedCertificate,
  usage: CertificateUsage,
  actor: ReadinessActor,
): Promise<void> {
  const problems = usageProblems(c, usage);
  if (c.structure && !belongsTo(c, org))
    problems.push(
      `il est émis pour la structure ${c.structure.type} ${c.structure.value}, qui n’est pas de l’organisme ${org.finessEj}`,
    );
  if (problems.length > 0) {
    await audit(database, org, actor, 'add', c.fingerprint, 'failure', { usage, problems: problems.length });
    throw new CertificateError(
      `Certificat refusé pour l’usage « ${usageLabels[usage]} » : ${problems.join(' ; ')}.`,
    );
  }
  const inserted =
    await sql`insert into org_certificate (fingerprint, finess_ej, usage, kind, subject, subject_cn,
      subject_o, subject_ou, issuer, serial, not_before, not_after, key_usages, ext_key_usages, policies, der,
      uploaded_by)
    values (${c.fingerprint}, ${org.finessEj}, ${usage}, ${c.kind}, ${c.subject}, ${c.cn}, ${c.o}, ${c.ou},
      ${c.issuer}, ${c.serial}, ${c.notBefore}, ${c.notAfter}, ${c.keyUsages}, ${c.extKeyUsages}, ${c.policies},
      ${Buffer.from(c.der)}, ${actor.id})
    on conflict (fingerprint) do nothing`.execute(database.db);
  if (Number(inserted.numAffectedRows ?? 0) === 0)
    throw new ReadinessError('Ce certificat est déjà enregistré.', 409);
  await audit(database, org, actor, 'add', c.fingerprint, 'success', {
    usage,
    kind: c.kind,
    notAfter: c.notAfter.toISOString(),
  });
}

interface Row {
  fingerprint: string;
  usage: CertificateUsage;
  kind: CertificateKind;
  subject: string;
  subject_cn: string | null;
  subject_ou: string | null;
  issuer: string;
  serial: string;
  not_before: Date;
  not_after: Date;
  key_usages: string[];
  ext_key_usages: string[];
  policies: string[];
  installed_on: unknown;
  uploaded_by: string;
  uploaded_at: Date;
  alerts_sent: number[];
}

const toCertificate = (r: Row): StoredCertificate => ({
  fingerprint: r.fingerprint,
  usage: r.usage,
  kind: r.kind,
  subject: r.subject,
  cn: r.subject_cn,
  ou: r.subject_ou,
  issuer: r.issuer,
  serial: r.serial,
  notBefore: new Date(r.not_before),
  notAfter: new Date(r.not_after),
  keyUsages: r.key_usages,
  extKeyUsages: r.ext_key_usages,
  policies: r.policies,
  installedOn:
    r.installed_on instanceof Date
      ? r.installed_on.toISOString().slice(0, 10)
      : typeof r.installed_on === 'string'
        ? r.installed_on.slice(0, 10)
        : null,
  uploadedBy: r.uploaded_by,
  uploadedAt: new Date(r.uploaded_at),
  alertsSent: r.alerts_sent,
});

const columns = sql`fingerprint, usage, kind, subject, subject_cn, subject_ou, issuer, serial, not_before,
  not_after, key_usages, ext_key_usages, policies, installed_on, uploaded_by, uploaded_at, alerts_sent`;

export async function listCertificates(database: Database, finessEj: string): Promise<StoredCertificate[]> {
  const rows = await sql<Row>`select ${columns} from org_certificate where finess_ej = ${finessEj}
    order by not_after`.execute(database.db);
  return rows.rows.map(toCertificate);
}

export async function certificateDer(database: Database, finessEj: string, fingerprint: string) {
  const rows = await sql<{
    der: Uint8Array;
    subject_cn: string | null;
  }>`select der, subject_cn from org_certificate
    where finess_ej = ${finessEj} and fingerprint = ${fingerprint}`.execute(database.db);
  return rows.rows[0] ?? null;
}

export async function markInstalled(
  database: Database,
  org: Organisation,
  fingerprint: string,
  on: string,
  actor: ReadinessActor,
): Promise<void> {
  const r = await sql`update org_certificate set installed_on = ${on}
    where finess_ej = ${org.finessEj} and fingerprint = ${fingerprint}`.execute(database.db);
  if (Number(r.numAffectedRows ?? 0) === 0)
    throw new ReadinessError('Certificat inconnu pour cet organisme.', 404);
  await audit(database, org, actor, 'installed', fingerprint);
}

/** Remove a certificate (revoked, uploaded by mistake): the audit trail keeps that it existed. */
export async function removeCertificate(
  database: Database,
  org: Organisation,
  fingerprint: string,
  actor: ReadinessActor,
): Promise<void> {
  const r = await sql`delete from org_certificate where finess_ej = ${org.finessEj}
    and fingerprint = ${fingerprint}`.execute(database.db);
  if (Number(r.numAffectedRows ?? 0) === 0)
    throw new ReadinessError('Certificat inconnu pour cet organisme.', 404);
  await audit(database, org, actor, 'remove', fingerprint);
}
