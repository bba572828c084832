import type { ChainState } from '../../audit/verify.ts';
import type { DriverName } from '../../db/connect.ts';
import type { MigrationStatus } from '../../db/migrate.ts';
import { html, type SafeHtml } from '../html.ts';
import { layout } from '../layout.ts';

export interface InstanceStatus {
  version: string;
  startedAt: Date;
  database: { driver: DriverName; location: string };
  migrations: MigrationStatus;
  chain: ChainState;
}

const dateTime = new Intl.DateTimeFormat('fr-FR', {
  dateStyle: 'long',
  timeStyle: 'medium',
  timeZone: 'Europe/Paris',
});
const integer = new Intl.NumberFormat('fr-FR');

function badge(kind: 'ok' | 'warn' | 'error', text: string): SafeHtml {
  const symbol = { ok: '✓', warn: '!', error: '✗' }[kind];
  return html`<span class="badge badge-${kind}"><span aria-hidden="true">${symbol}</span> ${text}</span>`;
}

function chainSummary(chain: ChainState): SafeHtml {
  const count = integer.format(chain.verifiedUpTo.seq);
  if (chain.status === 'broken' && chain.firstBreak)
    return html`${badge('error', 'Rompue')} à l’événement n° ${integer.format(chain.firstBreak.seq)} : ${chain.firstBreak.detail}.
      Lancez <code>confiance audit verify</code> et alertez votre responsable de la sécurité.`;
  if (chain.status === 'intact')
    return html`${badge('ok', 'Intègre')} ${count} événement${chain.verifiedUpTo.seq > 1 ? 's' : ''} chaîné${chain.verifiedUpTo.seq > 1 ? 's' : ''},
      contrôlé${chain.checkedAt ? html` le ${dateTime.format(chain.checkedAt)}` : ''}.`;
  return html`${badge('warn', 'Non vérifiée')} la vérification n’a pas encore eu lieu.`;
}

const modules: Array<{ title: string; text: string; href?: string }> = [
  {
    title: 'Annuaire santé',
    text: 'Copie locale du RPPS, du FINESS et des messageries MSSanté, importée depuis les extractions publiées.',
    href: '/annuaire',
  },
  { title: 'Usagers et INS', text: 'Qualification de l’INS par le téléservice INSi et identitovigilance.' },
  {
    title: 'Connexion des DUI',
    text: 'Fournisseur OpenID Connect relayant Pro Santé Connect et FranceConnect+.',
  },
  { title: 'Prérequis Ségur', text: 'Parcours guidé : contrat, cartes, certificats, RPPS+, e-CPS, MSSanté.' },
  {
    title: 'Consentements et aidants',
    text: 'Recueil traçable des consentements et délégations de l’usager.',
  },
];

export function homePage(status: InstanceStatus): string {
  const { migrations, database } = status;
  const upToDate = migrations.pending.length === 0;
  return layout({
    title: 'Accueil',
    current: '/',
    body: html`<h1>État de l’instance</h1>
<section aria-labelledby="etat">
  <h2 id="etat" class="visually-hidden">Résumé</h2>
  <dl class="status">
    <div><dt>Version</dt><dd>${status.version}</dd></div>
    <div><dt>Démarrée le</dt><dd>${dateTime.format(status.startedAt)}</dd></div>
    <div><dt>Base de données</dt><dd>${
      database.driver === 'pglite'
        ? html`PGlite embarquée <span class="muted">(${database.location})</span>`
        : html`PostgreSQL <span class="muted">(${database.location})</span>`
    }</dd></div>
    <div><dt>Schéma</dt><dd>${
      upToDate
        ? html`${badge('ok', 'À jour')} ${migrations.applied.length} migration${migrations.applied.length > 1 ? 's' : ''} appliquée${migrations.applied.length > 1 ? 's' : ''}`
        : html`${badge('warn', 'En retard')} ${migrations.pending.length} migration(s) en attente : lancez <code>confiance db migrate</code>`
    }</dd></div>
    <div><dt>Chaîne d’audit</dt><dd>${chainSummary(status.chain)}</dd></div>
  </dl>
</section>
<section aria-labelledby="modules">
  <h2 id="modules">Modules</h2>
  <ul class="cards">${modules.map(
    (m) =>
      html`<li class="card"><h3>${m.href ? html`<a href="${m.href}">${m.title}</a>` : m.title}</h3><p>${m.text}</p>
      <p>${m.href ? badge('ok', 'Disponible') : badge('warn', 'À venir')}</p></li>`,
  )}</ul>
</section>
<section aria-labelledby="editeurs">
  <h2 id="editeurs">Pour les éditeurs de DUI</h2>
  <ul>
    <li><a href="/api/v1/reference">Référence de l’API REST</a> et son <a href="/api/v1/openapi.json">document OpenAPI</a></li>
    <li><a href="/health">État de santé</a> (JSON) et <a href="/metrics">métriques Prometheus</a></li>
  </ul>
</section>`,
  });
}
