import { html, type SafeHtml } from './html.ts';

export interface NavItem {
  href: string;
  label: string;
  /** Modules still to come appear in the navigation, but not as links. */
  available: boolean;
}

export const navigation: NavItem[] = [
  { href: '/', label: 'Accueil', available: true },
  { href: '/annuaire', label: 'Annuaire santé', available: true },
  { href: '/usagers', label: 'Usagers et INS', available: true },
  { href: '/connexion', label: 'Connexion des DUI', available: true },
  { href: '/prerequis', label: 'Prérequis Ségur', available: true },
  { href: '/consentements', label: 'Consentements et aidants', available: false },
  { href: '/tracabilite', label: 'Traçabilité', available: false },
  { href: '/api/v1/reference', label: 'API', available: true },
];

export interface Page {
  title: string;
  /** Path of the current section, to mark it in the navigation. */
  current?: string;
  body: SafeHtml;
}

export function layout(page: Page): string {
  const nav = navigation.map((item) =>
    item.available
      ? html`<li><a href="${item.href}"${item.href === page.current ? html` aria-current="page"` : ''}>${item.label}</a></li>`
      : html`<li><span class="nav-soon">${item.label} <small>(à venir)</small></span></li>`,
  );
  return `<!doctype html>${html`<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${page.title} — Confiance</title>
<link rel="stylesheet" href="/assets/confiance.css">
<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">
</head>
<body>
<a class="skip-link" href="#contenu">Aller au contenu</a>
<header class="site-header">
  <div class="wrap">
    <a class="brand" href="/"><img src="/assets/favicon.svg" alt="" width="32" height="32"> Confiance</a>
    <p class="tagline">Identification électronique des établissements et services médico-sociaux</p>
  </div>
</header>
<nav class="site-nav" aria-label="Navigation principale">
  <ul class="wrap">${nav}</ul>
</nav>
<main id="contenu" class="wrap" tabindex="-1">
${page.body}
</main>
<footer class="site-footer">
  <div class="wrap">
    <p>Confiance — logiciel libre. Données de démonstration synthétiques uniquement.</p>
    <ul>
      <li><a href="/api/v1/reference">Référence de l’API</a></li>
      <li><a href="/health">État de santé</a></li>
      <li><a href="/metrics">Métriques</a></li>
    </ul>
  </div>
</footer>
</body>
</html>`}`;
}
