import { Cron } from 'croner';
import type { FastifyBaseLogger } from 'fastify';
import { sql } from 'kysely';
import { appendEvent } from '../audit/append.ts';
import type { Config } from '../config.ts';
import type { Database } from '../db/connect.ts';
import type { StoredCertificate } from './certificate-store.ts';
import { listCertificates } from './certificate-store.ts';
import { usageLabels } from './certificates.ts';
import { type Mailer, smtpMailer } from './mailer.ts';

/** Days before expiry when the administrators are warned; 0 is the day it expires. */
export const alertThresholds = [90, 30, 7, 0] as const;
const day = 86_400_000;

export const daysLeft = (c: Pick<StoredCertificate, 'notAfter'>, now: Date) =>
  Math.ceil((c.notAfter.getTime() - now.getTime()) / day);

/** A certificate of the same usage that lasts longer: once renewed, the old one raises no more alerts. */
const superseded = (c: StoredCertificate, all: StoredCertificate[]) =>
  all.some((o) => o !== c && o.usage === c.usage && o.notAfter > c.notAfter);

/**
 * The alert due for a certificate, if any: the smallest threshold reached and not sent yet. A certificate
 * uploaded 20 days before its end gets the 30-day alert only, not the 90-day one as well.
 */
export function dueAlert(c: StoredCertificate, all: StoredCertificate[], now: Date): number | null {
  if (superseded(c, all)) return null;
  const left = daysLeft(c, now);
  const reached = alertThresholds.filter((t) => left <= t);
  const threshold = reached[reached.length - 1];
  if (threshold === undefined || c.alertsSent.includes(threshold)) return null;
  return threshold;
}

const frenchDate = (d: Date) =>
  new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', dateStyle: 'long' }).format(d);

export function alertMail(organisation: string, c: StoredCertificate, threshold: number, now: Date) {
  const left = daysLeft(c, now);
  const when =
    left <= 0
      ? `a expiré le ${frenchDate(c.notAfter)}`
      : `expire le ${frenchDate(c.notAfter)} (dans ${left} jour${left > 1 ? 's' : ''})`;
  return {
    subject: `[Confiance] Certificat ${c.cn ?? c.kind} de ${organisation} : ${threshold === 0 ? 'expiré' : `expire dans ${left} j`}`,
    text: [
      `Le certificat ${c.kind} « ${c.cn ?? ''} » (${usageLabels[c.usage]}) ${when}.`,
      '',
      `Sujet : ${c.subject}`,
      `Émetteur : ${c.issuer}`,
      `Numéro de série : ${c.serial}`,
      '',
      'L’administrateur technique le renouvelle sur la plateforme IGC Santé, puis le transmet à l’éditeur du DUI',
      'pour son installation. Déposez ensuite le nouveau certificat sur la console Confiance (Prérequis Ségur).',
    ].join('\n'),
  };
}

export interface AlertRun {
  due: number;
  mailed: number;
  failed: number;
}

/**
 * The daily check: every certificate reaching a threshold is recorded (the console shows it) and mailed to the
 * organisme's alert addresses when an SMTP server is configured. A failed e-mail is retried the next day.
 */
export async function runCertificateAlerts(
  database: Database,
  mailer: Mailer | null,
  now = new Date(),
): Promise<AlertRun> {
  const orgs = await sql<{ finess_ej: string; raison_sociale: string; alert_emails: string[] }>`
    select finess_ej, raison_sociale, alert_emails from org_organisation`.execute(database.db);
  const run: AlertRun = { due: 0, mailed: 0, failed: 0 };
  for (const org of orgs.rows) {
    const all = await listCertificates(database, org.finess_ej);
    for (const c of all) {
      const threshold = dueAlert(c, all, now);
      if (threshold === null) continue;
      run.due += 1;
      let channel = 'console';
      if (mailer && org.alert_emails.length > 0) {
        try {
          await mailer.send({ to: org.alert_emails, ...alertMail(org.raison_sociale, c, threshold, now) });
          channel = 'courriel';
          run.mailed += 1;
        } catch {
          run.failed += 1;
          await appendEvent(database, {
            action: 'readiness.certificate.alert',
            outcome: 'failure',
            actor: { kind: 'system' },
            structureFiness: org.finess_ej,
            subject: { type: 'certificate', id: c.fingerprint },
            details: { threshold, channel: 'courriel' },
          });
          continue;
        }
      }
      const sent = alertThresholds.filter((t) => t >= threshold);
      await sql`update org_certificate set alerts_sent = ${sent} where fingerprint = ${c.fingerprint}`.execute(
        database.db,
      );
      await appendEvent(database, {
        action: 'readiness.certificate.alert',
        outcome: 'success',
        actor: { kind: 'system' },
        structureFiness: org.finess_ej,
        subject: { type: 'certificate', id: c.fingerprint },
        details: { threshold, channel, recipients: channel === 'courriel' ? org.alert_emails.length : 0 },
      });
    }
  }
  return run;
}

/** The daily certificate check of a running server, mailing through the configured SMTP server if any. */
export function scheduleCertificateAlerts(database: Database, config: Config, log: FastifyBaseLogger): Cron {
  return new Cron(config.alertSchedule, { timezone: 'Europe/Paris', protect: true }, async () => {
    const mailer = config.smtp ? smtpMailer(config.smtp) : null;
    try {
      const run = await runCertificateAlerts(database, mailer);
      if (run.due > 0) log.info(run, 'certificate alerts');
    } catch (error) {
      log.error({ err: error }, 'certificate alerts failed');
    } finally {
      mailer?.close();
    }
  });
}
