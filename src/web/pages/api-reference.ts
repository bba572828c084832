import { html, type SafeHtml } from '../html.ts';
import { layout } from '../layout.ts';

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  description?: string;
  schema?: {
    type?: string;
    enum?: unknown[];
    format?: string;
    default?: unknown;
    minimum?: number;
    maximum?: number;
  };
}

interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: Parameter[];
  security?: Array<Record<string, string[]>>;
  responses?: Record<string, { description?: string }>;
}

export interface OpenApiDocument {
  info: { title: string; version: string; description?: string };
  paths?: Record<string, Record<string, Operation>>;
}

/** Descriptions use Markdown's `code` spans, nothing else. */
function prose(text: string | undefined): SafeHtml {
  const parts = (text ?? '').split('`');
  return html`${parts.map((part, i) => (i % 2 ? html`<code>${part}</code>` : part))}`;
}

const places: Record<string, string> = { query: 'requête', path: 'chemin', header: 'en-tête' };

function typeOf(p: Parameter): string {
  const s = p.schema ?? {};
  const parts = [s.enum ? s.enum.map(String).join(' | ') : (s.format ?? s.type ?? '')];
  if (s.minimum !== undefined || s.maximum !== undefined) parts.push(`${s.minimum ?? ''}…${s.maximum ?? ''}`);
  if (s.default !== undefined) parts.push(`défaut ${String(s.default)}`);
  return parts.filter(Boolean).join(', ');
}

function operation(method: string, path: string, op: Operation): SafeHtml {
  const scopes = op.security?.flatMap((s) => Object.values(s).flat()) ?? [];
  return html`<section class="card" aria-labelledby="${`${method}-${path}`}">
  <h3 id="${`${method}-${path}`}"><span class="method">${method.toUpperCase()}</span> <code>${path}</code></h3>
  <p><strong>${op.summary ?? ''}</strong></p>
  ${op.description ? html`<p>${prose(op.description)}</p>` : ''}
  ${scopes.length ? html`<p>Jeton requis avec le droit ${scopes.map((s, i) => html`${i ? ', ' : ''}<code>${s}</code>`)}.</p>` : html`<p>Accès libre.</p>`}
  ${
    op.parameters?.length
      ? html`<table>
    <caption class="visually-hidden">Paramètres de ${method.toUpperCase()} ${path}</caption>
    <thead><tr><th scope="col">Paramètre</th><th scope="col">Où</th><th scope="col">Type</th><th scope="col">Description</th></tr></thead>
    <tbody>${op.parameters.map(
      (p) =>
        html`<tr><td><code>${p.name}</code>${p.required ? ' (obligatoire)' : ''}</td><td>${places[p.in] ?? p.in}</td><td>${typeOf(p)}</td><td>${prose(p.description)}</td></tr>`,
    )}</tbody>
  </table>`
      : ''
  }
  <p>Réponses : ${Object.entries(op.responses ?? {}).map(([code, r], i) => html`${i ? ' ; ' : ''}<code>${code}</code> ${prose(r.description)}`)}</p>
</section>`;
}

/** The API reference, rendered on the server from the OpenAPI document: no script, no external asset. */
export function apiReferencePage(doc: OpenApiDocument): string {
  const operations = Object.entries(doc.paths ?? {}).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ method, path, op })),
  );
  const tags = [...new Set(operations.map((o) => o.op.tags?.[0] ?? 'Divers'))];
  return layout({
    title: 'Référence de l’API',
    current: '/api/v1/reference',
    body: html`<h1>Référence de l’API <span class="muted">v${doc.info.version}</span></h1>
<p>${prose(doc.info.description)}</p>
<p>Document OpenAPI 3.1 : <a href="/api/v1/openapi.json"><code>/api/v1/openapi.json</code></a>.
Les erreurs suivent le format <code>application/problem+json</code> (RFC 9457) avec un titre et un détail en français
et l’identifiant de requête (<code>requestId</code>, aussi dans l’en-tête <code>X-Request-Id</code>).</p>
<nav aria-label="Sommaire de l’API"><ul>${tags.map((t) => html`<li><a href="#${t}">${t}</a></li>`)}</ul></nav>
${tags.map(
  (tag) => html`<h2 id="${tag}">${tag}</h2>
${operations.filter((o) => (o.op.tags?.[0] ?? 'Divers') === tag).map((o) => operation(o.method, o.path, o.op))}`,
)}`,
  });
}
