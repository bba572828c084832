import { formatIns } from '../../identity/ins.ts';
import type { RetrievalOutcome } from '../../identity/qualify.ts';
import { attributes, type Status, statuses, validationModes } from '../../identity/rniv.ts';
import type { FieldError } from '../../identity/traits.ts';
import type { QualificationShare, Usager } from '../../identity/usagers.ts';
import type { ReviewItem } from '../../identity/vigilance.ts';
import { html, type SafeHtml } from '../html.ts';
import { layout } from '../layout.ts';

export const statusLabels: Record<Status, string> = {
  PROV: 'Provisoire',
  RECUP: 'Récupérée',
  VALI: 'Validée',
  QUAL: 'Qualifiée',
};

const statusHelp: Record<Status, string> = {
  PROV: 'ni pièce d’identité contrôlée, ni INS récupéré par INSi',
  RECUP: 'INS récupéré par INSi, pièce d’identité à contrôler',
  VALI: 'pièce d’identité contrôlée, INS à récupérer par INSi',
  QUAL: 'pièce contrôlée et INS récupéré : l’INS peut être partagé',
};

const badge = (s: Status) => html`<span class="badge badge-${s.toLowerCase()}">${statusLabels[s]}</span>`;
const percent = (n: number, total: number) => (total === 0 ? '—' : `${Math.round((100 * n) / total)} %`);
const birth = (u: Usager) => u.traits.dateNaissance.split('-').reverse().join('/');
const csrfField = (csrf: string) => html`<input type="hidden" name="csrf" value="${csrf}">`;

export interface UsagersPage {
  usagers: Usager[];
  shares: QualificationShare[];
  filter: { statut?: string; finess?: string; nom?: string };
  pending: number;
  canWrite: boolean;
}

export function usagersPage(p: UsagersPage): string {
  return layout({
    title: 'Usagers et INS',
    current: '/usagers',
    body: html`<h1>Usagers et identité nationale de santé</h1>
<p>Chaque échange concernant un usager utilise son INS, qui doit être <strong>qualifié</strong> : identité contrôlée sur
une pièce à haut niveau de confiance et INS récupéré ou vérifié par le téléservice INSi.</p>
<p>${p.canWrite ? html`<a class="button" href="/usagers/nouveau">Admettre un usager</a> ` : html``}<a href="/usagers/doublons">Doublons et homonymes à examiner (${p.pending})</a></p>
<section aria-labelledby="qualification">
  <h2 id="qualification">Identités qualifiées par structure</h2>
  ${
    p.shares.length === 0
      ? html`<p>Aucun usager enregistré.</p>`
      : html`<table>
    <caption class="visually-hidden">Part des identités qualifiées par structure</caption>
    <thead><tr><th scope="col">FINESS</th>${statuses.map((s) => html`<th scope="col" class="num">${statusLabels[s]}</th>`)}<th scope="col" class="num">Total</th><th scope="col" class="num">Qualifiées</th></tr></thead>
    <tbody>${p.shares.map(
      (s) =>
        html`<tr><th scope="row">${s.structureFiness ?? 'Sans structure'}</th>${statuses.map((x) => html`<td class="num">${s.byStatus[x]}</td>`)}<td class="num">${s.total}</td><td class="num"><strong>${percent(s.qualified, s.total)}</strong></td></tr>`,
    )}</tbody>
  </table>`
  }
</section>
<section aria-labelledby="liste">
  <h2 id="liste">Usagers</h2>
  <form method="get" action="/usagers" class="criteria" role="search">
    <p><label for="nom">Nom de naissance (début)</label><input id="nom" name="nom" value="${p.filter.nom ?? ''}" maxlength="100"></p>
    <p><label for="statut">Statut de l’identité</label><select id="statut" name="statut"><option value="">Tous</option>${statuses.map(
      (s) =>
        html`<option value="${s}"${p.filter.statut === s ? html` selected` : html``}>${statusLabels[s]}</option>`,
    )}</select></p>
    <p><label for="finess">FINESS de la structure</label><input id="finess" name="finess" value="${p.filter.finess ?? ''}" maxlength="9"></p>
    <p><button type="submit">Filtrer</button></p>
  </form>
  ${
    p.usagers.length === 0
      ? html`<p role="status">Aucun usager ne correspond.</p>`
      : html`<p role="status">${p.usagers.length} usager${p.usagers.length > 1 ? 's' : ''}${p.usagers.length === 100 ? ' (les 100 premiers)' : ''}.</p>
  <table>
    <caption class="visually-hidden">Usagers</caption>
    <thead><tr><th scope="col">Nom de naissance</th><th scope="col">Prénoms</th><th scope="col">Naissance</th><th scope="col">Sexe</th><th scope="col">Identité</th><th scope="col">Structure</th></tr></thead>
    <tbody>${p.usagers.map(
      (u) =>
        html`<tr><td><a href="/usagers/${u.id}">${u.traits.nomNaissance}</a></td><td>${u.traits.prenomsNaissance.join(' ')}</td><td>${birth(u)}</td><td>${u.traits.sexe}</td><td>${badge(u.identity.status)}</td><td>${u.structureFiness ?? '—'}</td></tr>`,
    )}</tbody>
  </table>`
  }
</section>`,
  });
}

export interface AdmissionPage {
  csrf: string;
  values: Record<string, string>;
  errors: Array<FieldError | { field: 'finess'; message: string }>;
}

export function admissionPage(p: AdmissionPage): string {
  const error = (field: string) => p.errors.find((e) => e.field === field);
  const field = (name: string, label: string, hint: string, attrs: SafeHtml = html``) => {
    const e = error(name);
    return html`<p><label for="${name}">${label}</label>
    <span class="hint" id="${name}-aide">${hint}</span>
    <input id="${name}" name="${name}" value="${p.values[name] ?? ''}" aria-describedby="${name}-aide${e ? ` ${name}-erreur` : ''}"${e ? html` aria-invalid="true"` : html``} ${attrs}>
    ${e ? html`<span class="field-error" id="${name}-erreur">${e.message}</span>` : html``}</p>`;
  };
  return layout({
    title: 'Admettre un usager',
    current: '/usagers',
    body: html`<p><a href="/usagers">← Usagers et INS</a></p>
<h1>Admettre un usager</h1>
${p.errors.length > 0 ? html`<div class="notice" role="alert"><p>${p.errors.length} champ${p.errors.length > 1 ? 's' : ''} à corriger.</p></div>` : html``}
<form method="post" action="/usagers" class="admission">
  ${csrfField(p.csrf)}
  <fieldset><legend>Traits stricts (tels qu’écrits sur la pièce d’identité)</legend>
  ${field('nomNaissance', 'Nom de naissance', 'Tel qu’à l’état civil ; les accents sont retirés.', html`required maxlength="100" autocomplete="off"`)}
  ${field('prenomsNaissance', 'Prénoms de naissance', 'Tous, dans l’ordre, séparés par des espaces ; un prénom composé garde son trait d’union.', html`required maxlength="100" autocomplete="off"`)}
  <p><label for="sexe">Sexe</label><select id="sexe" name="sexe" required>
    <option value="">—</option><option value="F"${p.values.sexe === 'F' ? html` selected` : html``}>Féminin</option><option value="M"${p.values.sexe === 'M' ? html` selected` : html``}>Masculin</option></select>
    ${error('sexe') ? html`<span class="field-error">${error('sexe')?.message}</span>` : html``}</p>
  ${field('dateNaissance', 'Date de naissance', 'AAAA-MM-JJ', html`required type="date"`)}
  ${field('lieuNaissance', 'Lieu de naissance (code INSEE)', 'Commune de naissance (63220, 2A004…) ou 99 suivi du code du pays (99134…).', html`required maxlength="5" autocomplete="off"`)}
  </fieldset>
  <fieldset><legend>Traits d’usage et contacts (facultatifs)</legend>
  ${field('nomUtilise', 'Nom utilisé', 'Nom d’usage, s’il diffère.', html`maxlength="100"`)}
  ${field('prenomUtilise', 'Prénom utilisé', 'Prénom d’usage, s’il diffère.', html`maxlength="100"`)}
  ${field('telephone', 'Téléphone', '', html`maxlength="20" type="tel"`)}
  ${field('email', 'Adresse électronique', '', html`maxlength="200" type="email"`)}
  </fieldset>
  <fieldset><legend>Pièce d’identité</legend>
  <p><label for="piece">Pièce à haut niveau de confiance contrôlée</label><select id="piece" name="piece">
    <option value="">Aucune pour l’instant</option>${Object.entries(validationModes)
      .filter(([code]) => code !== 'AV')
      .map(
        ([code, label]) =>
          html`<option value="${code}"${p.values.piece === code ? html` selected` : html``}>${label}</option>`,
      )}
  </select></p>
  <p class="hint">La pièce est vue, pas conservée : aucune image n’est enregistrée.</p>
  </fieldset>
  <fieldset><legend>Structure d’accueil</legend>
  ${field('finess', 'FINESS de l’établissement', 'Numéro FINESS géographique (9 caractères) de l’établissement ou du service qui accueille.', html`maxlength="9" inputmode="numeric" autocomplete="off"`)}
  </fieldset>
  <p><button type="submit">Enregistrer l’usager</button></p>
</form>`,
  });
}

export interface UsagerPage {
  usager: Usager;
  csrf: string | null;
  canWrite: boolean;
  insiAvailable: boolean;
  retrieval: RetrievalOutcome | null;
  message: string | null;
  duplicates: ReviewItem[];
}

function retrievalNotice(r: RetrievalOutcome | null): SafeHtml {
  if (!r) return html``;
  switch (r.outcome) {
    case 'retrieved':
      return html`<p class="notice" role="status">INS récupéré par INSi, traits concordants (${r.attempts.length} appel${r.attempts.length > 1 ? 's' : ''}).</p>`;
    case 'not-found':
      return html`<p class="notice" role="status">INSi ne trouve aucune identité avec ces traits (${r.attempts.length} appel${r.attempts.length > 1 ? 's' : ''}, avec chacun des prénoms puis la liste complète) : vérifiez les traits sur la pièce.</p>`;
    case 'several':
      return html`<p class="notice" role="status">INSi trouve plusieurs identités, même avec tous les prénoms et le lieu de naissance : l’INS ne peut être récupéré.</p>`;
    case 'refused':
      return html`<p class="notice" role="alert">${r.reason}</p>`;
    case 'differences':
      return html`<div class="notice" role="alert"><p>INSi renvoie une identité dont les traits diffèrent des traits enregistrés. Rien n’a été modifié :
vérifiez la pièce d’identité et corrigez si besoin avant de relancer.</p>
<table><caption>Différences avec INSi</caption><thead><tr><th scope="col">Trait</th><th scope="col">Enregistré</th><th scope="col">INSi</th></tr></thead>
<tbody>${r.differences.map((d) => html`<tr><th scope="row">${d.trait}</th><td>${d.local}</td><td>${d.insi}</td></tr>`)}</tbody></table></div>`;
  }
}

export function usagerPage(p: UsagerPage): string {
  const u = p.usager;
  const id = u.identity;
  return layout({
    title: `${u.traits.nomNaissance} ${u.traits.premierPrenom} — Usagers`,
    current: '/usagers',
    body: html`<p><a href="/usagers">← Usagers et INS</a></p>
<h1>${u.traits.nomNaissance} ${u.traits.prenomsNaissance.join(' ')}</h1>
${p.message ? html`<p class="notice" role="status">${p.message}</p>` : html``}
${retrievalNotice(p.retrieval)}
${u.mergedInto ? html`<p class="notice">Identité fusionnée avec <a href="/usagers/${u.mergedInto}">${u.mergedInto}</a>.</p>` : html``}
<p>Identité ${badge(id.status)} : ${statusHelp[id.status]}.</p>
<dl class="facts">
  <dt>Sexe, naissance</dt><dd>${u.traits.sexe === 'F' ? 'Féminin' : 'Masculin'}, le ${birth(u)}, lieu INSEE <code>${u.traits.lieuNaissance}</code></dd>
  ${u.nomUtilise || u.prenomUtilise ? html`<dt>Traits d’usage</dt><dd>${u.nomUtilise ?? ''} ${u.prenomUtilise ?? ''}</dd>` : html``}
  <dt>Pièce contrôlée</dt><dd>${id.document ? html`${validationModes[id.document.mode]}, par ${id.document.checkedBy}, le ${id.document.checkedAt.slice(0, 10).split('-').reverse().join('/')}` : html`<span class="muted">aucune</span>`}</dd>
  <dt>INSi</dt><dd>${id.insiAt ? html`INS récupéré le ${id.insiAt.slice(0, 10).split('-').reverse().join('/')}` : html`<span class="muted">pas encore interrogé avec succès</span>`}</dd>
  <dt>Matricule INS</dt><dd>${
    u.ins && id.status === 'QUAL'
      ? html`<code>${formatIns({ matricule: u.ins.matricule, key: u.ins.cle })}</code> (OID ${u.ins.oid})${u.ins.histo.length > 0 ? html`<br><span class="muted">Précédents : ${u.ins.histo.map((h) => formatIns({ matricule: h.matricule, key: h.cle })).join(', ')}</span>` : html``}`
      : u.ins
        ? html`<span class="muted">récupéré ; affiché et partagé seulement une fois l’identité qualifiée</span>`
        : html`<span class="muted">—</span>`
  }</dd>
  <dt>Attributs</dt><dd>${id.attributes.length > 0 ? id.attributes.map((a) => attributes[a]).join(', ') : html`<span class="muted">aucun</span>`}</dd>
  <dt>FHIR</dt><dd><a href="/fhir/Patient/${u.id}">Patient/${u.id}</a> (jeton identity:read)</dd>
</dl>
${
  p.canWrite && p.csrf && !u.mergedInto
    ? html`<section aria-labelledby="actions"><h2 id="actions">Qualifier l’identité</h2>
<form method="post" action="/usagers/${u.id}/piece" class="criteria">${csrfField(p.csrf)}
  <p><label for="piece">Pièce contrôlée</label><select id="piece" name="piece" required>${Object.entries(
    validationModes,
  )
    .filter(([code]) => code !== 'AV')
    .map(([code, label]) => html`<option value="${code}">${label}</option>`)}</select></p>
  <p><button type="submit">Enregistrer le contrôle</button></p>
</form>
${
  p.insiAvailable
    ? html`<form method="post" action="/usagers/${u.id}/insi">${csrfField(p.csrf)}<p><button type="submit">Interroger INSi</button></p></form>`
    : html`<p class="muted">Le téléservice INSi n’est pas configuré (CONFIANCE_INSI_URL).</p>`
}
<form method="post" action="/usagers/${u.id}/acv" class="criteria">${csrfField(p.csrf)}
  <p><label for="acv">INS lu dans l’Application carte Vitale</label>
  <input id="acv" name="ins" maxlength="21" autocomplete="off" inputmode="text" aria-describedby="acv-aide">
  <span class="hint" id="acv-aide">15 caractères, clé comprise ; qualifie l’identité directement.</span></p>
  <p><label for="acv-type">Type</label><select id="acv-type" name="type"><option value="NIR">NIR</option><option value="NIA">NIA</option></select></p>
  <p><button type="submit">Qualifier par l’Application carte Vitale</button></p>
</form>
<form method="post" action="/usagers/${u.id}/attributs" class="criteria">${csrfField(p.csrf)}
  <p><label for="attribut">Attribut</label><select id="attribut" name="attribut">${Object.entries(
    attributes,
  ).map(([code, label]) => html`<option value="${code}">${label}</option>`)}</select></p>
  <p><label for="operation">Action</label><select id="operation" name="operation"><option value="poser">Poser</option><option value="lever">Lever</option></select></p>
  <p><button type="submit">Appliquer</button></p>
</form></section>`
    : html``
}
${
  p.duplicates.length > 0
    ? html`<section aria-labelledby="doublons"><h2 id="doublons">Identités ressemblantes</h2><ul>${p.duplicates.map(
        (d) => {
          const other = d.a.id === u.id ? d.b : d.a;
          return html`<li><a href="/usagers/${other.id}">${other.traits.nomNaissance} ${other.traits.prenomsNaissance.join(' ')}</a> — ${d.reason} (score ${d.score}) · <a href="/usagers/doublons">examiner</a></li>`;
        },
      )}</ul></section>`
    : html``
}`,
  });
}

export function reviewPage(p: { items: ReviewItem[]; csrf: string | null; canWrite: boolean }): string {
  const who = (u: Usager) =>
    html`<a href="/usagers/${u.id}">${u.traits.nomNaissance} ${u.traits.prenomsNaissance.join(' ')}</a><br>${birth(u)}, ${u.traits.sexe}, né(e) à <code>${u.traits.lieuNaissance}</code><br>${badge(u.identity.status)}`;
  return layout({
    title: 'Doublons et homonymes',
    current: '/usagers',
    body: html`<p><a href="/usagers">← Usagers et INS</a></p>
<h1>Doublons et homonymes à examiner</h1>
<p>Paires d’identités de même date de naissance et de même sexe dont les noms et prénoms se ressemblent (phonétique,
trigrammes). Fusionner ne supprime rien et peut être défait ; des personnes distinctes reçoivent l’attribut « homonyme avéré ».</p>
${
  p.items.length === 0
    ? html`<p role="status">Aucune paire en attente.</p>`
    : html`<table><caption class="visually-hidden">Paires à examiner</caption>
  <thead><tr><th scope="col">Identité A</th><th scope="col">Identité B</th><th scope="col">Ressemblance</th>${p.canWrite ? html`<th scope="col">Décision</th>` : html``}</tr></thead>
  <tbody>${p.items.map(
    (item) =>
      html`<tr><td>${who(item.a)}</td><td>${who(item.b)}</td><td>${item.reason}<br>score ${item.score}</td>${
        p.canWrite && p.csrf
          ? html`<td><form method="post" action="/usagers/doublons/${item.id}">${csrfField(p.csrf)}
      <p><label for="decision-${item.id}">Décision</label><select id="decision-${item.id}" name="decision">
        <option value="garder-a">Même personne : garder A</option><option value="garder-b">Même personne : garder B</option>
        <option value="distinctes">Personnes distinctes</option></select></p>
      <p><button type="submit">Valider</button></p></form></td>`
          : html``
      }</tr>`,
  )}</tbody></table>`
}`,
  });
}
