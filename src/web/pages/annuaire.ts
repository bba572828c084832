import type { Count, Found, LastImport } from '../../directory/queries.ts';
import { html, type SafeHtml } from '../html.ts';
import { layout } from '../layout.ts';

const number = new Intl.NumberFormat('fr-FR');
const dateTime = new Intl.DateTimeFormat('fr-FR', {
  dateStyle: 'long',
  timeStyle: 'short',
  timeZone: 'Europe/Paris',
});

const labels: Record<string, string> = {
  professional: 'Professionnels',
  activity: 'Situations d’exercice',
  savoirFaire: 'Savoir-faire',
  diploma: 'Diplômes et autorisations',
  mailbox: 'Boîtes MSSanté',
  structure: 'Structures FINESS',
};

/** A table whose last column draws the count as a bar; the numbers stay in the table for screen readers. */
function chart(caption: string, counts: Count[], codeLabel: string): SafeHtml {
  const max = Math.max(1, ...counts.map((c) => c.professionals));
  return html`<table class="chart">
  <caption>${caption}</caption>
  <thead><tr><th scope="col">${codeLabel}</th><th scope="col">Libellé</th><th scope="col" class="num">Professionnels</th><th scope="col"><span class="visually-hidden">Proportion</span></th></tr></thead>
  <tbody>${counts.map(
    (
      c,
    ) => html`<tr><td>${c.code}</td><td>${c.label}</td><td class="num">${number.format(c.professionals)}</td>
    <td class="bar"><svg aria-hidden="true" focusable="false" width="100%" height="14"><rect width="${`${((100 * c.professionals) / max).toFixed(1)}%`}" height="14"></rect></svg></td></tr>`,
  )}</tbody>
</table>`;
}

function lastImportSection(last: LastImport | null): SafeHtml {
  if (!last)
    return html`<p>Aucun import n’a encore réussi. Importez les extractions publiées avec
  <code>npx confiance directory import PS_LibreAcces_AAAAMMJJhhmm.zip …</code>.</p>`;
  return html`<p>Le ${dateTime.format(last.finishedAt)}, en ${number.format(last.seconds)} s, depuis :</p>
<ul>${last.sources.map((s) => html`<li><code>${s.file}</code></li>`)}</ul>
<table>
  <caption class="visually-hidden">Changements du dernier import</caption>
  <thead><tr><th scope="col">Ressource</th><th scope="col" class="num">Créées</th><th scope="col" class="num">Modifiées</th><th scope="col" class="num">Désactivées</th><th scope="col" class="num">Actives</th></tr></thead>
  <tbody>${Object.entries(last.resources).map(
    ([
      name,
      r,
    ]) => html`<tr><th scope="row">${labels[name] ?? name}</th><td class="num">${number.format(r.created)}</td>
    <td class="num">${number.format(r.changed)}</td><td class="num">${number.format(r.deactivated)}</td><td class="num">${number.format(r.active)}</td></tr>`,
  )}</tbody>
</table>`;
}

function results(query: string, found: Found[]): SafeHtml {
  if (!query) return html``;
  if (found.length === 0)
    return html`<p role="status">Aucun professionnel actif ne correspond à « ${query} ».</p>`;
  return html`<p role="status">${found.length} résultat${found.length > 1 ? 's' : ''}${found.length === 50 ? ' (les 50 premiers)' : ''}.</p>
<table>
  <caption class="visually-hidden">Résultats de la recherche</caption>
  <thead><tr><th scope="col">Nom d’exercice</th><th scope="col">Prénom</th><th scope="col">Identifiant</th><th scope="col">Profession</th><th scope="col">Communes d’exercice</th></tr></thead>
  <tbody>${found.map(
    (f) =>
      html`<tr><td>${f.nom}</td><td>${f.prenom}</td><td>${f.idType === '8' ? 'RPPS' : 'ADELI'} <code>${f.ppId}</code></td><td>${f.professions}</td><td>${f.communes}</td></tr>`,
  )}</tbody>
</table>`;
}

export interface AnnuairePage {
  last: LastImport | null;
  professions: Count[];
  departements: Count[];
  query: string;
  found: Found[];
}

export function annuairePage(p: AnnuairePage): string {
  return layout({
    title: p.query ? `Recherche « ${p.query} » — Annuaire santé` : 'Annuaire santé',
    current: '/annuaire',
    body: html`<h1>Annuaire santé</h1>
<p>Copie locale des extractions publiques de l’Annuaire Santé (RPPS, ADELI, MSSanté) et du FINESS.</p>
<section aria-labelledby="recherche">
  <h2 id="recherche">Rechercher un professionnel</h2>
  <form method="get" action="/annuaire" role="search">
    <label for="q">Nom d’exercice (début) ou numéro RPPS</label>
    <input id="q" name="q" type="search" value="${p.query}" maxlength="100" autocomplete="off">
    <button type="submit">Rechercher</button>
  </form>
  ${results(p.query, p.found)}
</section>
<section aria-labelledby="import">
  <h2 id="import">Dernier import</h2>
  ${lastImportSection(p.last)}
</section>
<section aria-labelledby="professions">
  <h2 id="professions">Professionnels par profession</h2>
  ${p.professions.length ? chart('Professionnels actifs par profession', p.professions, 'Code') : html`<p>Aucune donnée.</p>`}
</section>
<section aria-labelledby="departements">
  <h2 id="departements">Professionnels par département d’exercice</h2>
  ${
    p.departements.length
      ? html`${chart('Les 15 départements qui comptent le plus de professionnels', p.departements.slice(0, 15), 'Département')}
  <details><summary>Tous les départements (${p.departements.length})</summary>
  ${chart('Professionnels actifs par département', p.departements, 'Département')}</details>`
      : html`<p>Aucune donnée.</p>`
  }
</section>`,
  });
}
