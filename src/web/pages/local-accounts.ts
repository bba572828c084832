import type { LocalAccountSummary } from '../../auth/local/accounts.ts';
import { html } from '../html.ts';
import { layout } from '../layout.ts';

export interface Handover {
  idNat: string;
  lines: Array<[string, string]>;
}

export function localAccountsPage(p: {
  accounts: LocalAccountSummary[];
  csrf: string | null;
  error?: string | null;
  handover?: Handover | null;
}): string {
  const csrf = p.csrf ? html`<input type="hidden" name="csrf" value="${p.csrf}">` : html``;
  const action = (idNat: string, path: string, label: string) =>
    html`<form method="post" action="/connexion/comptes-locaux/${idNat}/${path}" class="inline">${csrf}<button type="submit">${label}</button></form>`;
  return layout({
    title: 'Comptes locaux',
    current: '/connexion',
    body: html`<h1>Comptes locaux des professionnels</h1>
<p>Mot de passe et code TOTP, clés de sécurité FIDO2 : les moyens propres de Confiance, proposés seulement là où le
référentiel d’identification électronique les admet. Pro Santé Connect reste le moyen à privilégier.</p>
<p><a href="/connexion">Retour aux DUI</a></p>
${p.error ? html`<p class="notice" role="alert">${p.error}</p>` : html``}
${
  p.handover
    ? html`<div class="notice" role="status"><p>À remettre à ${p.handover.idNat}, une seule fois :</p><dl class="facts">${p.handover.lines.map(([k, v]) => html`<dt>${k}</dt><dd><code>${v}</code></dd>`)}</dl></div>`
    : html``
}
${
  p.accounts.length === 0
    ? html`<p>Aucun compte local.</p>`
    : html`<table><caption>Comptes locaux</caption>
<thead><tr><th scope="col">Professionnel</th><th scope="col">idNat_PS</th><th scope="col">État</th><th scope="col" class="num">Clés</th>${p.csrf ? html`<th scope="col">Actions</th>` : html``}</tr></thead>
<tbody>${p.accounts.map(
        (a) => html`<tr><th scope="row">${a.prenom} ${a.nom}</th><td><code>${a.idNat}</code></td>
<td>${a.locked ? html`<span class="badge badge-error">verrouillé</span>` : a.consecutiveFailures > 0 ? html`<span class="badge badge-warn">${String(a.consecutiveFailures)} échec(s)</span>` : html`<span class="badge badge-ok">actif</span>`}</td>
<td class="num">${String(a.keys)}</td>
${p.csrf ? html`<td>${action(a.idNat, 'lien-cle', 'Lien pour une clé')}${a.keys > 0 ? action(a.idNat, 'revoquer-cles', 'Révoquer les clés') : html``}${a.locked ? action(a.idNat, 'deverrouiller', 'Déverrouiller') : html``}${action(a.idNat, 'suppression', 'Supprimer')}</td>` : html``}</tr>`,
      )}</tbody></table>`
}
${
  p.csrf
    ? html`<form method="post" action="/connexion/comptes-locaux" class="criteria">${csrf}
<fieldset><legend>Inscrire un professionnel</legend>
<p><label for="idnat">idNat_PS (8 + RPPS ou 0 + ADELI)</label><input id="idnat" name="idnat" required maxlength="12" inputmode="numeric"></p>
<p><label for="nom">Nom d’exercice</label><input id="nom" name="nom" required maxlength="100"></p>
<p><label for="prenom">Prénom d’exercice</label><input id="prenom" name="prenom" required maxlength="100"></p>
<p><button type="submit">Inscrire</button></p></fieldset></form>`
    : html``
}`,
  });
}
