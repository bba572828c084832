import type { ResourceName } from '../../directory/import/resources.ts';
import type {
  PractitionerCriteria,
  PractitionerDetail,
  PractitionerPage,
} from '../../directory/practitioners.ts';
import type { Count, LastImport } from '../../directory/queries.ts';
import { html, type SafeHtml } from '../html.ts';
import { layout } from '../layout.ts';

const number = new Intl.NumberFormat('fr-FR');
const dateTime = new Intl.DateTimeFormat('fr-FR', {
  dateStyle: 'long',
  timeStyle: 'short',
  timeZone: 'Europe/Paris',
});

const labels: Record<ResourceName, string> = {
  professional: 'Professionnels',
  activity: 'Situations d’exercice',
  savoirFaire: 'Savoir-faire',
  diploma: 'Diplômes et autorisations',
  mailbox: 'Boîtes MSSanté',
  structure: 'Structures FINESS',
  cabinet: 'Structures hors FINESS (cabinets)',
  equipment: 'Équipements sociaux',
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
  <tbody>${(Object.keys(labels) as ResourceName[]).map((name) => {
    // In the order of the labels: the report, stored as jsonb, comes back with its keys sorted by length.
    const r = last.resources[name];
    return r
      ? html`<tr><th scope="row">${labels[name]}</th><td class="num">${number.format(r.created)}</td>
    <td class="num">${number.format(r.changed)}</td><td class="num">${number.format(r.deactivated)}</td><td class="num">${number.format(r.active)}</td></tr>`
      : '';
  })}</tbody>
</table>`;
}

const idLabel = (idType: string | null) =>
  idType === '8' ? 'RPPS' : idType === '0' ? 'ADELI' : 'Identifiant';

function describe(c: PractitionerCriteria): string {
  return [
    c.q && `« ${c.q} »`,
    c.profession && `profession ${c.profession}`,
    c.departement && `département ${c.departement}`,
    c.finess && `FINESS ${c.finess}`,
    c.mailbox && `MSSanté « ${c.mailbox} »`,
  ]
    .filter(Boolean)
    .join(', ');
}

function results(criteria: PractitionerCriteria, found: PractitionerPage | null): SafeHtml {
  if (!found) return html``;
  if (found.items.length === 0)
    return html`<p role="status">Aucun professionnel actif ne correspond à ${describe(criteria)}.</p>`;
  const n = found.items.length;
  const params = new URLSearchParams(
    Object.entries({
      q: criteria.q,
      profession: criteria.profession,
      departement: criteria.departement,
      finess: criteria.finess,
      mss: criteria.mailbox,
    }).filter((e): e is [string, string] => !!e[1]),
  );
  if (found.next) params.set('apres', found.next);
  return html`<p role="status">${n} résultat${n > 1 ? 's' : ''}${found.next ? ' sur cette page' : ''}.</p>
<table>
  <caption class="visually-hidden">Résultats de la recherche</caption>
  <thead><tr><th scope="col">Nom d’exercice</th><th scope="col">Prénom</th><th scope="col">Identifiant</th><th scope="col">Profession</th><th scope="col">Communes d’exercice</th></tr></thead>
  <tbody>${found.items.map(
    (f) =>
      html`<tr><td><a href="/annuaire/professionnels/${f.idNat}">${f.nom}</a></td><td>${f.prenom}</td><td>${idLabel(f.idType)} <code>${f.ppId}</code></td><td>${f.professions}</td><td>${f.communes}</td></tr>`,
  )}</tbody>
</table>
${found.next ? html`<p><a href="/annuaire?${params.toString()}#recherche" rel="next">Page suivante</a></p>` : html``}`;
}

function options(counts: Count[], selected: string | undefined, all: string): SafeHtml {
  return html`<option value="">${all}</option>${counts
    .filter((c) => c.code !== '—')
    .map(
      (c) =>
        html`<option value="${c.code}"${c.code === selected ? html` selected` : html``}>${c.code} — ${c.label}</option>`,
    )}`;
}

export interface AnnuairePage {
  last: LastImport | null;
  professions: Count[];
  departements: Count[];
  criteria: PractitionerCriteria;
  found: PractitionerPage | null;
}

export function annuairePage(p: AnnuairePage): string {
  return layout({
    title: p.found ? `Recherche ${describe(p.criteria)} — Annuaire santé` : 'Annuaire santé',
    current: '/annuaire',
    body: html`<h1>Annuaire santé</h1>
<p>Copie locale des extractions publiques de l’Annuaire Santé (RPPS, ADELI, MSSanté) et du FINESS.</p>
<section aria-labelledby="recherche">
  <h2 id="recherche">Rechercher un professionnel</h2>
  <form method="get" action="/annuaire" role="search" class="criteria">
    <p><label for="q">Nom d’exercice (début) ou numéro RPPS</label>
    <input id="q" name="q" type="search" value="${p.criteria.q ?? ''}" maxlength="100" autocomplete="off"></p>
    <p><label for="profession">Profession</label>
    <select id="profession" name="profession">${options(p.professions, p.criteria.profession, 'Toutes')}</select></p>
    <p><label for="departement">Département d’exercice</label>
    <select id="departement" name="departement">${options(
      [...p.departements].sort((a, b) => a.code.localeCompare(b.code)),
      p.criteria.departement,
      'Tous',
    )}</select></p>
    <p><label for="finess">FINESS de l’établissement</label>
    <input id="finess" name="finess" value="${p.criteria.finess ?? ''}" maxlength="9" inputmode="numeric" autocomplete="off"></p>
    <p><label for="mss">Adresse MSSanté (début)</label>
    <input id="mss" name="mss" value="${p.criteria.mailbox ?? ''}" maxlength="120" autocomplete="off"></p>
    <p><button type="submit">Rechercher</button></p>
  </form>
  ${results(p.criteria, p.found)}
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

const cell = (value: string | null | undefined): SafeHtml =>
  value ? html`${value}` : html`<span class="muted">—</span>`;

/** The practitioner page: identity, situations d'exercice with their structures, qualifications, mailboxes. */
export function practitionerPage(d: PractitionerDetail): string {
  const name = [d.civiliteExercice ?? d.civilite, d.prenom, d.nom].filter(Boolean).join(' ');
  return layout({
    title: `${name} — Annuaire santé`,
    current: '/annuaire',
    body: html`<p><a href="/annuaire">← Annuaire santé</a></p>
<h1>${name}</h1>
${d.active ? html`` : html`<p class="notice" role="status">Ce professionnel ne figure plus dans les extractions depuis le ${dateTime.format(d.changedAt)}.</p>`}
<dl class="facts">
  <dt>${idLabel(d.idType)}</dt><dd><code>${d.ppId}</code></dd>
  <dt>idNat_PS</dt><dd><code>${d.idNat}</code></dd>
  <dt>Dernière modification</dt><dd>${dateTime.format(d.changedAt)}</dd>
  <dt>FHIR</dt><dd><a href="/fhir/Practitioner/${d.idNat}">Practitioner/${d.idNat}</a></dd>
</dl>
<section aria-labelledby="activites">
  <h2 id="activites">Situations d’exercice (${d.activities.length})</h2>
  ${
    d.activities.length === 0
      ? html`<p>Aucune situation d’exercice active.</p>`
      : html`<table>
    <caption class="visually-hidden">Situations d’exercice</caption>
    <thead><tr><th scope="col">Profession</th><th scope="col">Mode, fonction</th><th scope="col">Structure</th><th scope="col">Adresse</th><th scope="col">Téléphone</th></tr></thead>
    <tbody>${d.activities.map(
      (a) => html`<tr><td>${cell(a.profession)}<br><span class="muted">${a.categorie ?? ''}</span></td>
      <td>${cell(a.mode)}${a.role ? html`<br>${a.role}` : html``}</td>
      <td>${cell(a.structure)}${a.categorieEtablissement ? html`<br><span class="muted">${a.categorieEtablissement}</span>` : html``}${
        a.finess
          ? html`<br>FINESS <code>${a.finess}</code>`
          : html`${a.structureId ? html`<br>idNat_Struct <code>${a.structureId}</code>` : html``}${
              a.siret ? html`<br>SIRET <code>${a.siret}</code>` : html``
            }`
      }${a.organization ? html`<br><a href="/fhir/Organization/${a.organization}">Organization/${a.organization}</a>` : html``}</td>
      <td>${cell(a.adresse)}<br>${a.codePostal ?? ''} ${a.commune ?? ''}</td><td>${cell(a.telephone)}</td></tr>`,
    )}</tbody>
  </table>`
  }
</section>
<section aria-labelledby="messageries">
  <h2 id="messageries">Messageries sécurisées de santé (${d.mailboxes.length})</h2>
  ${
    d.mailboxes.length === 0
      ? html`<p>Aucune boîte MSSanté connue.</p>`
      : html`<ul>${d.mailboxes.map(
          (m) =>
            html`<li><code>${m.adresse}</code> (${m.type ?? '?'}${m.structure ? html`, ${m.structure}` : html``})</li>`,
        )}</ul>`
  }
</section>
<section aria-labelledby="savoir-faire">
  <h2 id="savoir-faire">Savoir-faire (${d.savoirFaire.length})</h2>
  ${
    d.savoirFaire.length === 0
      ? html`<p>Aucun savoir-faire déclaré.</p>`
      : html`<ul>${d.savoirFaire.map((s) => html`<li>${s.libelle} <span class="muted">(${s.type})</span></li>`)}</ul>`
  }
</section>
<section aria-labelledby="diplomes">
  <h2 id="diplomes">Diplômes et autorisations d’exercice (${d.diplomas.length})</h2>
  ${
    d.diplomas.length === 0
      ? html`<p>Aucun diplôme ni autorisation.</p>`
      : html`<ul>${d.diplomas.map((x) =>
          x.libelle
            ? html`<li>${x.libelle} <span class="muted">(${x.type})</span></li>`
            : html`<li>${x.autorisation}${x.discipline ? html` — ${x.discipline}` : html``}</li>`,
        )}</ul>`
  }
</section>`,
  });
}
