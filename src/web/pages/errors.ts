import { html } from '../html.ts';
import { layout } from '../layout.ts';

export function notFoundPage(path: string): string {
  return layout({
    title: 'Page introuvable',
    body: html`<h1>Page introuvable</h1>
<p>L’adresse <code>${path}</code> ne correspond à aucune page de Confiance.</p>
<p>Vérifiez l’adresse saisie, ou <a href="/">revenez à l’accueil</a>.</p>`,
  });
}

export function errorPage(status: number, title: string, detail: string, requestId: string): string {
  return layout({
    title,
    body: html`<h1>${title}</h1>
<p>${detail}</p>
${status >= 500 ? html`<p>Si le problème persiste, transmettez cet identifiant à votre administrateur : <code>${requestId}</code>.</p>` : ''}
<p><a href="/">Revenir à l’accueil</a></p>`,
  });
}

/** A console form whose anti-forgery token is missing or stale: the agent reloads and tries again. */
export function expiredFormPage(): string {
  return layout({
    title: 'Formulaire expiré',
    body: html`<h1>Formulaire expiré</h1><p>Ce formulaire ne correspond plus à votre session (jeton anti-falsification absent ou périmé).
Revenez à la page précédente, rechargez-la et recommencez.</p>`,
  });
}
