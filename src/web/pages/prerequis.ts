import { certificateUsages, usageLabels } from '../../readiness/certificates.ts';
import { cards, declarationMeans, roleLabels, roles } from '../../readiness/contracts.ts';
import type { Dashboard, EgDashboard } from '../../readiness/dashboard.ts';
import { type ReadinessStatus, serviceLabels, services, type Via } from '../../readiness/engine.ts';
import type { StaffCoverage } from '../../readiness/facts.ts';
import type { Organisation } from '../../readiness/organisations.ts';
import { authorityLabels } from '../../readiness/registration.ts';
import type { StaffError } from '../../readiness/staff-input.ts';
import { html, type SafeHtml } from '../html.ts';
import { layout } from '../layout.ts';

const statusLabels: Record<ReadinessStatus, string> = {
  pret: 'Prêt',
  'en-cours': 'En cours',
  bloque: 'Bloqué',
};
const statusClass: Record<ReadinessStatus, string> = { pret: 'ok', 'en-cours': 'warn', bloque: 'error' };
const statusBadge = (s: ReadinessStatus) =>
  html`<span class="badge badge-${statusClass[s]}">${statusLabels[s]}</span>`;

/** Where each form or portal is found, for the "avec quoi" column. */
const viaLabels: Record<Via, string> = {
  FINESS: 'Fiche FINESS (finess.esante.gouv.fr)',
  'Contrat ANS': 'Courrier de l’ANS',
  F101: 'Formulaire F101 (contrat d’adhésion)',
  F301: 'Formulaire F301 (commande de cartes CPE)',
  F413: 'Formulaire F413 (administrateur technique)',
  F502: 'Formulaire F502 (mandataire)',
  mesHabilitations: 'Portail mesHabilitations',
  TOM: 'Téléservice TOM (parc de cartes)',
  'RPPS+': 'Portail RPPS+',
  eRPPS: 'Portail eRPPS (FranceConnect)',
  Ordre: 'Ordre professionnel ou MaCPS',
  'IGC Santé': 'Plateforme IGC Santé',
  'Application e-CPS': 'Application e-CPS (mobile)',
  'Éditeur du DUI': 'Éditeur du DUI',
  'Opérateur MSSanté': 'Opérateur MSSanté',
  Structure: 'Interne à la structure',
};

const percent = (n: number, total: number) => (total === 0 ? '—' : `${Math.round((100 * n) / total)} %`);
const meter = (n: number, total: number, label: string) =>
  total === 0
    ? html`—`
    : html`<meter min="0" max="${total}" value="${n}" aria-label="${label}">${percent(n, total)}</meter> ${percent(n, total)}`;
const frDate = (iso: string | null) => (iso ? iso.slice(0, 10).split('-').reverse().join('/') : '—');
const frDateTime = (d: Date) =>
  new Intl.DateTimeFormat('fr-FR', {
    timeZone: 'Europe/Paris',
    dateStyle: 'long',
    timeStyle: 'short',
  }).format(d);
const csrfField = (csrf: string) => html`<input type="hidden" name="csrf" value="${csrf}">`;
const egName = (eg: EgDashboard) => eg.establishment.record?.raisonSociale ?? eg.establishment.finess;
const notice = (message: string | null, kind: 'alert' | 'status' = 'alert') =>
  message ? html`<p class="notice" role="${kind}">${message}</p>` : html``;

function subNav(ej: string, current: string): SafeHtml {
  const items = [
    ['', 'Tableau de bord'],
    ['/contrats', 'Contrat et profils'],
    ['/personnel', 'Personnel'],
    ['/certificats', 'Certificats'],
    ['/parametres', 'Organisme et DUI'],
    ['/impression', 'Version imprimable'],
  ] as const;
  return html`<nav aria-label="Sections de l’organisme" class="sub-nav"><ul>${items.map(
    ([path, label]) =>
      html`<li><a href="/prerequis/${ej}${path}"${path === current ? html` aria-current="page"` : html``}>${label}</a></li>`,
  )}</ul></nav>`;
}

export function organisationsPage(p: {
  organisations: Array<{ finessEj: string; raisonSociale: string; establishments: number }>;
  csrf: string | null;
  error?: string | null;
}): string {
  return layout({
    title: 'Prérequis Ségur',
    current: '/prerequis',
    body: html`<h1>Prérequis Ségur des établissements</h1>
<p>Pour chaque établissement (EG) d’un organisme gestionnaire, Confiance suit les prérequis des services socles
— qualifier l’INS, alimenter et consulter le DMP, échanger par MSSanté, se connecter avec Pro Santé Connect —
et dit, étape par étape, qui agit et avec quel formulaire ou portail.</p>
${notice(p.error ?? null)}
${
  p.organisations.length === 0
    ? html`<p>Aucun organisme suivi pour l’instant.</p>`
    : html`<table><caption class="visually-hidden">Organismes suivis</caption>
<thead><tr><th scope="col">Organisme gestionnaire</th><th scope="col">FINESS juridique</th><th scope="col" class="num">Établissements</th></tr></thead>
<tbody>${p.organisations.map(
        (o) =>
          html`<tr><th scope="row"><a href="/prerequis/${o.finessEj}">${o.raisonSociale}</a></th><td>${o.finessEj}</td><td class="num">${o.establishments}</td></tr>`,
      )}</tbody></table>`
}
${
  p.csrf
    ? html`<h2>Suivre un organisme</h2>
<form method="post" action="/prerequis" class="criteria">${csrfField(p.csrf)}
<p><label for="finess">FINESS juridique (ou d’un de ses établissements)</label>
<input id="finess" name="finess" required pattern="[0-9][0-9AB][0-9]{7}" maxlength="9" inputmode="numeric"></p>
<p><label for="raisonSociale">Raison sociale de l’organisme</label><input id="raisonSociale" name="raisonSociale" maxlength="200"></p>
<p><label for="siret">SIRET de l’organisme</label><input id="siret" name="siret" pattern="[0-9]{14}" maxlength="14" inputmode="numeric"></p>
<p><button type="submit">Suivre cet organisme</button></p>
</form>
<p class="hint">Les établissements sont repris de l’annuaire (FINESS) et leur fiche est vérifiée.</p>`
    : html``
}`,
  });
}

function coverageRow(label: SafeHtml | string, c: StaffCoverage): SafeHtml {
  return html`<tr><th scope="row">${label}</th><td class="num">${c.total}</td><td class="num">${c.concerned}</td>
<td>${meter(c.withNumber, c.concerned, 'Part avec un numéro RPPS ou ADELI')}</td>
<td>${meter(c.eCpsActive, c.withNumber, 'Part avec une e-CPS activée')}</td>
<td>${meter(c.withMailbox, c.withNumber, 'Part avec une boîte MSSanté')}</td>
<td class="num">${c.awaitingOrdre + c.awaitingArs + c.awaitingRppsPlus}</td></tr>`;
}

function certificateRows(d: Dashboard): SafeHtml {
  if (d.certificates.length === 0) return html`<p>Aucun certificat déposé.</p>`;
  return html`<table><caption class="visually-hidden">Certificats de l’organisme par date d’expiration</caption>
<thead><tr><th scope="col">Usage</th><th scope="col">Nom (CN)</th><th scope="col">Type</th><th scope="col">Fin de validité</th><th scope="col" class="num">Jours restants</th><th scope="col">État</th></tr></thead>
<tbody>${d.certificates.map(
    (c) =>
      html`<tr><td>${usageLabels[c.usage]}</td><td><code>${c.cn ?? ''}</code></td><td>${c.kind}</td><td>${frDate(c.notAfter.toISOString())}</td><td class="num">${c.daysLeft}</td>
<td>${
        c.daysLeft <= 0
          ? html`<span class="badge badge-error">Expiré</span>`
          : c.alert !== null
            ? html`<span class="badge badge-${c.alert <= 30 ? 'error' : 'warn'}">Alerte ${c.alert} jours</span>`
            : c.installedOn
              ? html`<span class="badge badge-ok">Installé le ${frDate(c.installedOn)}</span>`
              : html`<span class="badge badge-warn">À installer</span>`
      }</td></tr>`,
  )}</tbody></table>`;
}

function dashboardBody(d: Dashboard, printable: boolean): SafeHtml {
  const o = d.organisation;
  return html`
<section aria-labelledby="etat">
<h2 id="etat">État par établissement et service</h2>
<table class="readiness"><caption class="visually-hidden">Statut de chaque service socle pour chaque établissement</caption>
<thead><tr><th scope="col">Établissement</th>${services.map((s) => html`<th scope="col">${serviceLabels[s]}</th>`)}</tr></thead>
<tbody>${d.establishments.map(
    (eg) =>
      html`<tr><th scope="row">${printable ? egName(eg) : html`<a href="#eg-${eg.establishment.finess}">${egName(eg)}</a>`}<br><small>FINESS ${eg.establishment.finess}${eg.establishment.record?.categorie ? ` · ${eg.establishment.record.categorie}` : ''}</small></th>
${eg.readiness.services.map((s) => html`<td>${statusBadge(s.status)}${s.missing.length > 0 ? html`<br><small>${s.missing.filter((m) => !m.ahead).length} étape(s)</small>` : html``}</td>`)}</tr>`,
  )}</tbody></table>
<p>Le DUI ${o.editor.name ? html`(${o.editor.name}) ` : html``}est ${d.dui.sensitive ? html`<strong>un service sensible</strong>` : html`<strong>non sensible</strong>`} au sens du référentiel d’identification électronique : ${d.dui.reasons.join(' ')}</p>
</section>
<section aria-labelledby="actions">
<h2 id="actions">Prochaines actions</h2>
${
  d.nextActions.length === 0
    ? html`<p>Aucune action en attente : tous les services sont prêts.</p>`
    : html`<ol class="actions">${d.nextActions.slice(0, printable ? 50 : 12).map(
        (a) =>
          html`<li><strong>${a.step.label}</strong>${a.step.ahead ? html` <span class="badge badge-warn">à anticiper</span>` : html``}<br>
<small>Qui : ${a.step.who} · Avec : ${viaLabels[a.step.via]} · ${a.establishments.length} établissement(s) · ${a.services.map((s) => serviceLabels[s]).join(', ')}</small></li>`,
      )}</ol>`
}
</section>
<section aria-labelledby="couverture">
<h2 id="couverture">Personnel : RPPS, e-CPS, MSSanté</h2>
<table><caption class="visually-hidden">Couverture du personnel par établissement</caption>
<thead><tr><th scope="col">Établissement</th><th scope="col" class="num">Personnel</th><th scope="col" class="num">Concernés</th><th scope="col">Numéro RPPS/ADELI</th><th scope="col">e-CPS activée</th><th scope="col">Boîte MSSanté</th><th scope="col" class="num">À enregistrer</th></tr></thead>
<tbody>${d.establishments.map((eg) => coverageRow(egName(eg), eg.coverage))}${coverageRow(html`<strong>Organisme</strong>`, d.coverage)}</tbody></table>
</section>
<section aria-labelledby="certificats">
<h2 id="certificats">Calendrier des certificats</h2>
${certificateRows(d)}
</section>
<section aria-labelledby="detail">
<h2 id="detail">Détail par établissement</h2>
${d.establishments.map(
  (eg) => html`<article id="eg-${eg.establishment.finess}" class="eg">
<h3>${egName(eg)} <small>FINESS ${eg.establishment.finess}</small></h3>
<p>Identités qualifiées : ${eg.qualified.qualified} sur ${eg.qualified.total} usager(s) (${percent(eg.qualified.qualified, eg.qualified.total)}).</p>
${eg.readiness.services.map(
  (s) => html`<h4>${serviceLabels[s.service]} ${statusBadge(s.status)}</h4>
${s.blockedBy ? html`<p class="notice">${s.blockedBy}</p>` : html``}
${
  s.missing.length === 0
    ? html`<p>Rien ne manque.</p>`
    : html`<ol>${s.missing.map((m) => html`<li>${m.label} — <em>${m.who}</em> · ${viaLabels[m.via]}</li>`)}</ol>`
}`,
)}
</article>`,
)}
</section>`;
}

export function dashboardPage(d: Dashboard): string {
  const o = d.organisation;
  return layout({
    title: `Prérequis — ${o.raisonSociale}`,
    current: '/prerequis',
    body: html`<h1>Prérequis Ségur — ${o.raisonSociale}</h1>
<p class="muted">FINESS juridique ${o.finessEj} · ${o.establishments.length} établissement(s) · calculé le ${frDateTime(d.generatedAt)}</p>
${subNav(o.finessEj, '')}
${dashboardBody(d, false)}`,
  });
}

export function printablePage(d: Dashboard): string {
  const o = d.organisation;
  return layout({
    title: `Prérequis — ${o.raisonSociale} (version imprimable)`,
    current: '/prerequis',
    body: html`<div class="printable">
<h1>Prérequis Ségur — ${o.raisonSociale}</h1>
<p>Situation au ${frDateTime(d.generatedAt)} · FINESS juridique ${o.finessEj}. <span class="no-print">Pour le conseil d’administration : imprimez cette page depuis votre navigateur. <a href="/prerequis/${o.finessEj}">Retour au tableau de bord</a>.</span></p>
<h2>Contrat et profils</h2>
<ul>${d.contracts.map((c) => html`<li>Contrat d’adhésion (${c.level} ${c.finess}) signé le ${frDate(c.signedOn)} par ${c.representantLegal} ; carte CDE ${c.cdeReceivedOn ? html`reçue le ${frDate(c.cdeReceivedOn)}` : html`<strong>attendue</strong>`}</li>`)}
${d.roles.map((r) => html`<li>${roleLabels[r.role]} : ${r.person}${r.finessEg ? ` (EG ${r.finessEg})` : ''} — ${r.declaredVia ? `déclaré(e) par ${r.declaredVia} le ${frDate(r.declaredOn)}` : 'déclaration à faire'}</li>`)}
${d.contracts.length + d.roles.length === 0 ? html`<li>Aucun contrat ni profil enregistré.</li>` : html``}</ul>
${dashboardBody(d, true)}
</div>`,
  });
}

export function organisationSettingsPage(p: {
  organisation: Organisation;
  csrf: string | null;
  error?: string | null;
  message?: string | null;
}): string {
  const o = p.organisation;
  const check = (name: string, label: string, checked: boolean) =>
    html`<p><label><input type="checkbox" name="${name}"${checked ? html` checked` : html``}> ${label}</label></p>`;
  const disabled = p.csrf ? html`` : html` disabled`;
  return layout({
    title: `Organisme et DUI — ${o.raisonSociale}`,
    current: '/prerequis',
    body: html`<h1>Organisme et DUI — ${o.raisonSociale}</h1>
${subNav(o.finessEj, '/parametres')}
${notice(p.error ?? null)}${notice(p.message ?? null, 'status')}
<form method="post" action="/prerequis/${o.finessEj}/parametres" class="criteria">${p.csrf ? csrfField(p.csrf) : html``}
<fieldset${disabled}><legend>Organisme gestionnaire</legend>
<p><label for="raisonSociale">Raison sociale</label><input id="raisonSociale" name="raisonSociale" required maxlength="200" value="${o.raisonSociale}"></p>
<p><label for="siret">SIRET</label><input id="siret" name="siret" pattern="[0-9]{14}" maxlength="14" value="${o.siret ?? ''}"></p>
${check('legalRepActsAlone', 'Le représentant légal commande lui-même les cartes et enregistre les professionnels (pas de mandataire)', o.legalRepActsAlone)}
<p><label for="rppsPlusMode">Gestion RPPS+</label><select id="rppsPlusMode" name="rppsPlusMode">
<option value="centralise"${o.rppsPlusMode === 'centralise' ? html` selected` : html``}>Centralisée (FINESS juridique)</option>
<option value="par-eg"${o.rppsPlusMode === 'par-eg' ? html` selected` : html``}>Par établissement (un gestionnaire par EG)</option></select></p>
<p><label for="alertEmails">Adresses des alertes de certificats (séparées par des virgules)</label><input id="alertEmails" name="alertEmails" maxlength="1000" value="${o.alertEmails.join(', ')}"></p>
</fieldset>
<fieldset${disabled}><legend>Éditeur du DUI</legend>
<p><label for="editorName">Éditeur et logiciel</label><input id="editorName" name="editorName" maxlength="200" value="${o.editor.name}"></p>
${check('insWithCertificate', 'L’éditeur propose de qualifier l’INS avec un certificat (sinon : cartes CPE)', o.editor.insWithCertificate)}
${check('dmpWithCertificate', 'L’éditeur propose d’alimenter le DMP avec des certificats (sinon : cartes)', o.editor.dmpWithCertificate)}
${check('supportsPsc', 'Le DUI propose Pro Santé Connect (ou délègue sa connexion à Confiance)', o.editor.supportsPsc)}
</fieldset>
<fieldset${disabled}><legend>Le DUI au sens des services sensibles (référentiel d’identification électronique)</legend>
${check('processesHealthData', 'Traite des données de santé à caractère personnel', o.dui.processesHealthData)}
${check('shared', 'Partagé au-delà de l’organisme (échelle territoriale ou nationale)', o.dui.shared)}
${check('integratesShared', 'Intègre un service partagé (DMP, MSSanté, INSi…)', o.dui.integratesShared)}
${check('externalAccess', 'Accessible depuis l’extérieur (mobilité, télétravail, partenaires)', o.dui.externalAccess)}
<p><label for="newUsagersPerYear">Nouveaux usagers par an</label><input id="newUsagersPerYear" name="newUsagersPerYear" type="number" min="0" max="10000000" value="${String(o.dui.newUsagersPerYear)}"></p>
<p><label for="professionalsPerYear">Professionnels distincts connectés par an</label><input id="professionalsPerYear" name="professionalsPerYear" type="number" min="0" max="10000000" value="${String(o.dui.professionalsPerYear)}"></p>
</fieldset>
${p.csrf ? html`<p><button type="submit">Enregistrer</button></p>` : html``}
</form>
<h2>Établissements</h2>
${o.establishments.map(
  (
    e,
  ) => html`<form method="post" action="/prerequis/${o.finessEj}/etablissements/${e.finess}" class="criteria">${p.csrf ? csrfField(p.csrf) : html``}
<fieldset${disabled}><legend>${e.record?.raisonSociale ?? e.finess} (FINESS ${e.finess})</legend>
${check('identityCharter', 'Charte d’identitovigilance adoptée', e.identityCharter)}
${check('autoHomologation', 'Auto-homologation de l’usage du certificat INSi faite', e.autoHomologation)}
${check('documentsIdentified', 'Documents à verser au DMP identifiés', e.documentsIdentified)}
${check('usagersInformed', 'Usagers informés de l’alimentation de leur DMP', e.usagersInformed)}
${check('consentCollected', 'Consentement à la consultation du DMP recueilli', e.consentCollected)}
<p><label for="mss-${e.finess}">Opérateur MSSanté choisi</label><input id="mss-${e.finess}" name="mssOperator" maxlength="100" value="${e.mssOperator ?? ''}"></p>
${check('mssPartnersIdentified', 'Partenaires des échanges identifiés, usagers informés de la messagerie citoyenne', e.mssPartnersIdentified)}
${p.csrf ? html`<p><button type="submit">Enregistrer l’établissement</button></p>` : html``}
</fieldset></form>`,
)}`,
  });
}

export function contractsPage(p: {
  dashboard: Dashboard;
  csrf: string | null;
  error?: string | null;
  message?: string | null;
}): string {
  const d = p.dashboard;
  const o = d.organisation;
  const egOptions = html`${o.establishments.map((e) => html`<option value="${e.finess}">${e.record?.raisonSociale ?? e.finess} (${e.finess})</option>`)}`;
  return layout({
    title: `Contrat et profils — ${o.raisonSociale}`,
    current: '/prerequis',
    body: html`<h1>Contrat et profils — ${o.raisonSociale}</h1>
${subNav(o.finessEj, '/contrats')}
${notice(p.error ?? null)}${notice(p.message ?? null, 'status')}
<h2>Contrat d’adhésion à l’ANS (F101)</h2>
${
  d.contracts.length === 0
    ? html`<p>Aucun contrat enregistré. L’ANS conseille de contractualiser avec le FINESS juridique : un contrat couvre alors tous les établissements.</p>`
    : html`<table><thead><tr><th scope="col">Niveau</th><th scope="col">FINESS</th><th scope="col">Représentant légal</th><th scope="col">Signé le</th><th scope="col">Carte CDE</th></tr></thead>
<tbody>${d.contracts.map(
        (c) =>
          html`<tr><td>${c.level}</td><td>${c.finess}</td><td>${c.representantLegal}</td><td>${frDate(c.signedOn)}</td><td>${
            c.cdeReceivedOn
              ? html`reçue le ${frDate(c.cdeReceivedOn)}`
              : p.csrf
                ? html`<form method="post" action="/prerequis/${o.finessEj}/contrats/${String(c.id)}/cde">${csrfField(p.csrf)}<label for="cde-${String(c.id)}">Reçue le</label> <input id="cde-${String(c.id)}" name="date" type="date" required> <button type="submit">Enregistrer</button></form>`
                : html`attendue`
          }</td></tr>`,
      )}</tbody></table>`
}
${
  p.csrf
    ? html`<form method="post" action="/prerequis/${o.finessEj}/contrats" class="criteria">${csrfField(p.csrf)}
<fieldset><legend>Enregistrer un contrat signé</legend>
<p><label for="level">Niveau</label><select id="level" name="level"><option value="EJ">Organisme (FINESS juridique ${o.finessEj})</option><option value="EG">Un établissement</option></select></p>
<p><label for="finess">Établissement (niveau EG)</label><select id="finess" name="finess"><option value=""></option>${egOptions}</select></p>
<p><label for="representantLegal">Représentant légal</label><input id="representantLegal" name="representantLegal" required maxlength="100"></p>
<p><label for="signedOn">Signé le</label><input id="signedOn" name="signedOn" type="date" required></p>
<p><label for="cdeReceivedOn">Carte CDE reçue le</label><input id="cdeReceivedOn" name="cdeReceivedOn" type="date"></p>
<p><button type="submit">Enregistrer le contrat</button></p></fieldset></form>`
    : html``
}
<h2>Mandataire, administrateurs techniques, gestionnaires RPPS+</h2>
${
  d.roles.length === 0
    ? html`<p>Aucun profil enregistré.</p>`
    : html`<table><thead><tr><th scope="col">Profil</th><th scope="col">Personne</th><th scope="col">Périmètre</th><th scope="col">Carte</th><th scope="col">Déclaration</th></tr></thead>
<tbody>${d.roles.map(
        (r) =>
          html`<tr><td>${roleLabels[r.role]}</td><td>${r.person}${r.editorStaff ? html` <small>(éditeur, par délégation)</small>` : html``}</td><td>${r.finessEg ?? 'Tout l’organisme'}</td><td>${r.card}</td><td>${
            r.declaredVia
              ? html`${r.declaredVia}, le ${frDate(r.declaredOn)}`
              : p.csrf
                ? html`<form method="post" action="/prerequis/${o.finessEj}/profils/${String(r.id)}/declaration">${csrfField(p.csrf)}
<label for="via-${String(r.id)}">Par</label> <select id="via-${String(r.id)}" name="via">${declarationMeans[r.role].map((v) => html`<option>${v}</option>`)}</select>
<label for="on-${String(r.id)}">le</label> <input id="on-${String(r.id)}" name="date" type="date" required> <button type="submit">Déclaré</button></form>`
                : html`à faire`
          }</td></tr>`,
      )}</tbody></table>`
}
${
  p.csrf
    ? html`<form method="post" action="/prerequis/${o.finessEj}/profils" class="criteria">${csrfField(p.csrf)}
<fieldset><legend>Désigner une personne</legend>
<p><label for="role">Profil</label><select id="role" name="role">${roles.map((r) => html`<option value="${r}">${roleLabels[r]}</option>`)}</select></p>
<p><label for="finessEg">Périmètre</label><select id="finessEg" name="finessEg"><option value="">Tout l’organisme</option>${egOptions}</select></p>
<p><label for="person">Nom et prénom</label><input id="person" name="person" required maxlength="100"></p>
<p><label for="email">Adresse électronique</label><input id="email" name="email" type="email" maxlength="200"></p>
<p><label for="card">Carte détenue</label><select id="card" name="card">${cards.map((c) => html`<option>${c}</option>`)}</select></p>
<p><label><input type="checkbox" name="healthProfessional"> Professionnel de santé (demande sa CPS à son Ordre)</label></p>
<p><label><input type="checkbox" name="editorStaff"> Salarié de l’éditeur, par délégation (administrateur technique, carte CPA)</label></p>
<p><label for="declaredVia">Déjà déclaré par</label><select id="declaredVia" name="declaredVia"><option value="">Pas encore déclaré</option><option>mesHabilitations</option><option>F502</option><option>F413</option></select></p>
<p><label for="declaredOn">le</label><input id="declaredOn" name="declaredOn" type="date"></p>
<p><button type="submit">Enregistrer le profil</button></p></fieldset></form>`
    : html``
}`,
  });
}

export function staffPage(p: {
  dashboard: Dashboard;
  csrf: string | null;
  error?: string | null;
  lineErrors?: StaffError[];
  message?: string | null;
  toRegister: number;
}): string {
  const d = p.dashboard;
  const o = d.organisation;
  return layout({
    title: `Personnel — ${o.raisonSociale}`,
    current: '/prerequis',
    body: html`<h1>Personnel — ${o.raisonSociale}</h1>
${subNav(o.finessEj, '/personnel')}
${notice(p.error ?? null)}${notice(p.message ?? null, 'status')}
${
  p.lineErrors && p.lineErrors.length > 0
    ? html`<table class="errors"><caption>Erreurs du fichier (rien n’a été enregistré)</caption><thead><tr><th scope="col" class="num">Ligne</th><th scope="col">Erreur</th></tr></thead>
<tbody>${p.lineErrors.slice(0, 200).map((e) => html`<tr><td class="num">${String(e.line)}</td><td>${e.message}</td></tr>`)}</tbody></table>`
    : html``
}
${
  p.csrf
    ? html`<form method="post" action="/prerequis/${o.finessEj}/personnel/import" enctype="multipart/form-data" class="criteria">${csrfField(p.csrf)}
<fieldset><legend>Importer le fichier du personnel (CSV)</legend>
<p class="hint">Colonnes reconnues par leur en-tête : matricule, nom, prénom, fonction, FINESS (de l’établissement), date d’entrée, date de sortie, courriel, mobile, RPPS/ADELI, carte (CPE, CPS, CPA, e-CPS), e-CPS activée (oui/non), qualifie INS (oui/non). Séparateur « ; » ou « , », UTF-8 ou Windows-1252. Un matricule déjà connu est mis à jour.</p>
<p><label for="fichier">Fichier</label><input id="fichier" name="fichier" type="file" accept=".csv,text/csv" required></p>
<p><button type="submit">Importer</button></p></fieldset></form>`
    : html``
}
<p>${p.toRegister} salarié(s) à enregistrer par l’employeur dans RPPS+. ${p.toRegister > 0 ? html`<a href="/prerequis/${o.finessEj}/personnel/rpps-plus.csv">Télécharger le fichier de chargement en masse RPPS+</a>.` : html``}</p>
<div class="table-scroll"><table><caption>Registre du personnel (${String(d.staff.length)})</caption>
<thead><tr><th scope="col">Nom</th><th scope="col">Fonction</th><th scope="col">FINESS</th><th scope="col">RPPS / ADELI</th><th scope="col">Enregistré par</th><th scope="col">e-CPS</th><th scope="col">Boîte MSSanté</th><th scope="col">Carte</th></tr></thead>
<tbody>${d.staff.map(
      (
        s,
      ) => html`<tr><th scope="row">${s.nom} ${s.prenom}<br><small>${s.matricule}${s.endDate ? ` · sorti(e) le ${frDate(s.endDate)}` : ''}</small></th><td>${s.fonction}</td><td>${s.finessEg}</td>
<td>${s.idNat ? html`<code>${s.idNat}</code>${s.idNatSource === 'annuaire' ? html` <small>(trouvé dans l’annuaire)</small>` : s.inDirectory ? html`` : html` <small>(absent de l’annuaire)</small>`}` : html`<span class="badge badge-warn">à enregistrer</span>`}</td>
<td>${s.idNat ? html`—` : authorityLabels[s.authority]}</td>
<td>${s.eCpsActive ? 'activée' : s.idNat ? (s.email && s.mobile ? 'à activer' : 'coordonnées manquantes') : '—'}</td>
<td>${s.mailboxes.length > 0 ? html`${s.mailboxes.join(', ')}` : '—'}</td><td>${s.card}</td></tr>`,
    )}</tbody></table></div>`,
  });
}

export function certificatesPage(p: {
  dashboard: Dashboard;
  csrf: string | null;
  error?: string | null;
  message?: string | null;
}): string {
  const d = p.dashboard;
  const o = d.organisation;
  return layout({
    title: `Certificats — ${o.raisonSociale}`,
    current: '/prerequis',
    body: html`<h1>Certificats — ${o.raisonSociale}</h1>
${subNav(o.finessEj, '/certificats')}
${notice(p.error ?? null)}${notice(p.message ?? null, 'status')}
<p>Les certificats de structure IGC Santé (ORG AUTH_CLI, ORG SIGN, SERV SSL) sont commandés par l’administrateur
technique puis installés par l’éditeur dans le DUI. Confiance en garde la partie publique et prévient 90, 30 et 7 jours
avant leur expiration. <strong>Ne déposez jamais de clé privée</strong> : un fichier qui en contient est refusé.</p>
${certificateRows(d)}
${
  d.certificates.length > 0
    ? html`<h2>Détail</h2>${d.certificates.map(
        (c) => html`<details><summary>${c.cn ?? c.kind} — ${usageLabels[c.usage]}</summary>
<dl class="facts"><dt>Sujet</dt><dd><code>${c.subject}</code></dd><dt>Émetteur</dt><dd><code>${c.issuer}</code></dd>
<dt>Numéro de série</dt><dd><code>${c.serial}</code></dd><dt>Validité</dt><dd>du ${frDate(c.notBefore.toISOString())} au ${frDate(c.notAfter.toISOString())}</dd>
<dt>Usages de clé</dt><dd>${c.keyUsages.join(', ') || '—'} ; étendus : ${c.extKeyUsages.join(', ') || '—'}</dd>
<dt>Politiques</dt><dd>${c.policies.join(', ') || '—'}</dd><dt>Empreinte SHA-256</dt><dd><code>${c.fingerprint}</code></dd>
<dt>Déposé</dt><dd>par ${c.uploadedBy}, le ${frDateTime(c.uploadedAt)}</dd></dl>
${
  p.csrf
    ? html`${c.installedOn ? html`` : html`<form method="post" action="/prerequis/${o.finessEj}/certificats/${c.fingerprint}/installation" class="inline">${csrfField(p.csrf)}<label for="inst-${c.fingerprint}">Installé dans le DUI le</label> <input id="inst-${c.fingerprint}" name="date" type="date" required> <button type="submit">Enregistrer</button></form>`}
<form method="post" action="/prerequis/${o.finessEj}/certificats/${c.fingerprint}/suppression" class="inline">${csrfField(p.csrf)}<button type="submit">Retirer ce certificat</button></form>`
    : html``
}</details>`,
      )}`
    : html``
}
${
  p.csrf
    ? html`<form method="post" action="/prerequis/${o.finessEj}/certificats" enctype="multipart/form-data" class="criteria">${csrfField(p.csrf)}
<fieldset><legend>Déposer un certificat</legend>
<p><label for="usage">Usage</label><select id="usage" name="usage"><option value="">Déduit du certificat</option>${certificateUsages.map((u) => html`<option value="${u}">${usageLabels[u]}</option>`)}</select></p>
<p><label for="certificat">Certificat (PEM, DER, ou PKCS#12 sans clé privée)</label><input id="certificat" name="certificat" type="file" required accept=".pem,.crt,.cer,.der,.p12,.pfx"></p>
<p><label for="motDePasse">Mot de passe du PKCS#12 (le cas échéant)</label><input id="motDePasse" name="motDePasse" type="password" autocomplete="off" maxlength="200"></p>
<p><button type="submit">Déposer</button></p></fieldset></form>`
    : html``
}`,
  });
}
