import type { Situation } from '../../auth/broker/situations.ts';
import type { LoginDecision } from '../../auth/policy/rie.ts';
import { html, type SafeHtml } from '../html.ts';
import { layout } from '../layout.ts';

export interface MeansOffer {
  id: string;
  label: string;
  decision: LoginDecision;
  /** Where the button posts, when the means can be used here. */
  action: string | null;
  /** The means asks for a password and a TOTP code on this page. */
  password: boolean;
  /** The means is a security key, used from this page by a script. */
  key?: boolean;
}

const reasonsList = (d: LoginDecision) =>
  html`<ul class="hint">${d.reasons.map((r) => html`<li>${r}</li>`)}</ul>`;

export function loginChoicePage(p: {
  client: string;
  offers: MeansOffer[];
  ruleSet: string;
  at: Date;
  error?: string | null;
}): string {
  const date = new Intl.DateTimeFormat('fr-FR', {
    timeZone: 'Europe/Paris',
    dateStyle: 'long',
    timeStyle: 'short',
  }).format(p.at);
  return layout({
    title: 'Connexion',
    body: html`<h1>Se connecter à ${p.client}</h1>
<p>Le logiciel <strong>${p.client}</strong> délègue sa connexion à Confiance. Choisissez votre moyen d’identification.</p>
${p.error ? html`<p class="notice" role="alert">${p.error}</p>` : html``}
${p.offers.map(
  (o) => html`<section class="means" aria-labelledby="means-${o.id}">
<h2 id="means-${o.id}">${o.label.charAt(0).toUpperCase()}${o.label.slice(1)}</h2>
${
  o.decision.allowed && o.action
    ? o.key
      ? html`<form method="post" action="${o.action}" data-webauthn="login" class="criteria">
<p><label for="idnat-cle">Identifiant national (idNat_PS)</label><input id="idnat-cle" name="idnat" required maxlength="12" inputmode="numeric" autocomplete="username webauthn"></p>
<p><button type="submit">Se connecter avec ma clé de sécurité</button></p><p role="status" class="hint"></p></form>`
      : o.password
        ? html`<form method="post" action="${o.action}" class="criteria">
<p><label for="idnat">Identifiant national (idNat_PS)</label><input id="idnat" name="idnat" required maxlength="12" inputmode="numeric" autocomplete="username"></p>
<p><label for="motDePasse">Mot de passe</label><input id="motDePasse" name="motDePasse" type="password" required maxlength="200" autocomplete="current-password"></p>
<p><label for="code">Code à usage unique (application d’authentification)</label><input id="code" name="code" required pattern="[0-9]{6}" maxlength="6" inputmode="numeric" autocomplete="one-time-code"></p>
<p><button type="submit">Se connecter par mot de passe et code</button></p></form>${reasonsList(o.decision)}`
        : html`<form method="post" action="${o.action}"><button type="submit">Continuer avec ${o.label}</button></form>`
    : o.decision.allowed
      ? html`<p><span class="badge badge-warn">Non configuré sur cette instance</span></p>`
      : html`<p><span class="badge badge-error">Non admis ici</span></p>${reasonsList(o.decision)}`
}
</section>`,
)}
<p class="muted">Règles appliquées : ${p.ruleSet}, au ${date}.</p>
${p.offers.some((o) => o.key && o.decision.allowed) ? html`<script src="/assets/webauthn.js" defer></script>` : html``}`,
  });
}

export function keyEnrolmentPage(p: {
  action: string;
  holder: { idNat: string; nom: string; prenom: string } | null;
}): string {
  return layout({
    title: 'Enregistrer une clé de sécurité',
    body: p.holder
      ? html`<h1>Enregistrer une clé de sécurité</h1>
<p>${p.holder.prenom} ${p.holder.nom} (${p.holder.idNat}) : branchez votre clé FIDO2, puis touchez-la quand le navigateur le demande.
Son code ou votre empreinte sera demandé à chaque connexion.</p>
<form method="post" action="${p.action}" data-webauthn="register"><p><button type="submit">Enregistrer ma clé</button></p>
<p role="status" class="notice"></p></form>
<script src="/assets/webauthn.js" defer></script>`
      : html`<h1>Lien expiré</h1><p>Ce lien d’enregistrement est inconnu, expiré ou déjà utilisé. Demandez-en un nouveau à votre administrateur.</p>`,
  });
}

export function situationPage(p: {
  action: string;
  name: string;
  situations: Array<Situation & { verified: boolean }>;
  preselected: string | null;
}): string {
  const label = (s: Situation) =>
    [
      s.raisonSociale ?? 'Structure sans nom',
      s.finessSite ? `FINESS ${s.finessSite}` : s.siret ? `SIRET ${s.siret}` : null,
    ]
      .filter(Boolean)
      .join(' — ');
  return layout({
    title: 'Situation d’exercice',
    body: html`<h1>Pour quelle structure vous connectez-vous ?</h1>
<p>${p.name}, Pro Santé Connect indique plusieurs situations d’exercice. Choisissez celle de cette connexion : le logiciel
la recevra avec votre identité.</p>
<form method="post" action="${p.action}">
<fieldset><legend>Situation d’exercice</legend>
${p.situations.map(
  (s, i) =>
    html`<p><label><input type="radio" name="situation" value="${s.key}"${(p.preselected ? s.key === p.preselected : i === 0) ? html` checked` : html``}> ${label(s)}${s.verified ? html` <span class="badge badge-ok">vérifiée dans l’annuaire</span>` : html` <span class="badge badge-warn">absente de l’annuaire local</span>`}</label></p>`,
)}
</fieldset>
<p><button type="submit">Continuer</button></p>
</form>`,
  });
}

export function loginRefusedPage(p: { title: string; detail: string; retry: string | null }): string {
  return layout({
    title: p.title,
    body: html`<h1>${p.title}</h1><p>${p.detail}</p>${p.retry ? html`<p><a href="${p.retry}">Choisir un autre moyen</a></p>` : html``}` as SafeHtml,
  });
}
