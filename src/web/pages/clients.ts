import type { RegisteredClient } from '../../auth/oidc/clients.ts';
import { sensitivity } from '../../auth/policy/sensitive.ts';
import { html } from '../html.ts';
import { layout } from '../layout.ts';

export function clientsPage(p: {
  clients: RegisteredClient[];
  csrf: string | null;
  issuer: string;
  ruleSet: string;
  error?: string | null;
  created?: { clientId: string; clientSecret: string | null } | null;
}): string {
  const csrf = p.csrf ? html`<input type="hidden" name="csrf" value="${p.csrf}">` : html``;
  return layout({
    title: 'Connexion des DUI',
    current: '/connexion',
    body: html`<h1>Connexion des DUI</h1>
<p>Les DUI délèguent la connexion de leurs utilisateurs à Confiance (OpenID Connect, découverte :
<code>${p.issuer}/.well-known/openid-configuration</code>). Règles appliquées : ${p.ruleSet}.</p>
<p><a href="/connexion/comptes-locaux">Comptes locaux des professionnels (mot de passe et TOTP, clés FIDO2)</a></p>
${p.error ? html`<p class="notice" role="alert">${p.error}</p>` : html``}
${
  p.created
    ? html`<div class="notice" role="status"><p>DUI enregistré : <code>${p.created.clientId}</code>.</p>${
        p.created.clientSecret
          ? html`<p>Secret, affiché une seule fois : <code>${p.created.clientSecret}</code></p>`
          : html`<p>Authentification par <code>private_key_jwt</code> : aucun secret.</p>`
      }</div>`
    : html``
}
${
  p.clients.length === 0
    ? html`<p>Aucun DUI enregistré.</p>`
    : html`<table><caption>DUI enregistrés</caption>
<thead><tr><th scope="col">DUI</th><th scope="col">Identifiant</th><th scope="col">Authentification</th><th scope="col">URL de retour</th><th scope="col">Au sens du RIE</th>${p.csrf ? html`<th scope="col">Action</th>` : html``}</tr></thead>
<tbody>${p.clients.map((c) => {
        const s = sensitivity(c.profile);
        return html`<tr><th scope="row">${c.name}</th><td><code>${c.clientId}</code></td><td>${c.authMethod}</td><td>${c.redirectUris.map((u) => html`<code>${u}</code><br>`)}</td>
<td>${s.sensitive ? html`<span class="badge badge-warn">sensible</span>` : html`<span class="badge badge-ok">non sensible</span>`}<br><small>${s.reasons.join(' ')}</small></td>
${p.csrf ? html`<td><form method="post" action="/connexion/clients/${c.clientId}/suppression">${csrf}<button type="submit">Retirer</button></form></td>` : html``}</tr>`;
      })}</tbody></table>`
}
${
  p.csrf
    ? html`<form method="post" action="/connexion/clients" class="criteria">${csrf}
<fieldset><legend>Enregistrer un DUI</legend>
<p><label for="nom">Nom du logiciel</label><input id="nom" name="nom" required maxlength="200"></p>
<p><label for="retours">URL de retour (une par ligne)</label><textarea id="retours" name="retours" required rows="2" maxlength="2000"></textarea></p>
<p><label for="retoursDeconnexion">URL de retour après déconnexion (une par ligne)</label><textarea id="retoursDeconnexion" name="retoursDeconnexion" rows="2" maxlength="2000"></textarea></p>
<p><label for="canalArriere">URL de déconnexion par canal arrière</label><input id="canalArriere" name="canalArriere" maxlength="500"></p>
<p><label for="finess">FINESS de l’établissement ou de l’organisme servi (situation présélectionnée)</label><input id="finess" name="finess" maxlength="9" pattern="[0-9][0-9AB][0-9]{7}"></p>
<p><label for="jwksUri">URL des clés publiques (private_key_jwt ; vide : secret partagé)</label><input id="jwksUri" name="jwksUri" maxlength="500"></p>
<p><label><input type="checkbox" name="donneesSante" checked> Traite des données de santé</label></p>
<p><label><input type="checkbox" name="partage"> Partagé au-delà d’une personne morale</label></p>
<p><label><input type="checkbox" name="servicePartage" checked> Intègre un service partagé (DMP, MSSanté, INSi…)</label></p>
<p><label><input type="checkbox" name="accesExterieur"> Accessible depuis l’extérieur</label></p>
<p><label for="usagers">Nouveaux usagers par an</label><input id="usagers" name="usagers" type="number" min="0" max="10000000" value="0"></p>
<p><label for="professionnels">Professionnels distincts par an</label><input id="professionnels" name="professionnels" type="number" min="0" max="10000000" value="0"></p>
<p><button type="submit">Enregistrer le DUI</button></p></fieldset></form>`
    : html``
}`,
  });
}
