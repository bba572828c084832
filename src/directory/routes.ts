import { Type } from 'typebox';
import type { AppContext } from '../app-context.ts';
import { requireScope } from '../auth/api-auth.ts';
import { HttpProblem, problemResponses } from '../http/problem.ts';
import type { TypedApp } from '../http/typed.ts';
import { annuairePage, practitionerPage } from '../web/pages/annuaire.ts';
import { findPractitioners, type PractitionerCriteria, practitionerDetail } from './practitioners.ts';
import { directoryCounts, lastImport } from './queries.ts';

/** An empty value is an unused criterion: the console's form sends every field. */
const code = (pattern: string, description: string) =>
  Type.Optional(Type.String({ pattern: `^(?:${pattern})?$`, maxLength: 20, description }));

const Criteria = {
  q: Type.Optional(
    Type.String({
      maxLength: 100,
      description: 'Début du nom d’exercice, numéro RPPS (11 chiffres) ou idNat_PS',
    }),
  ),
  profession: code('[0-9]{1,3}', 'Code profession (TRE_G15), par exemple 60 pour infirmier'),
  departement: code('[0-9]{2,3}|2[AB]', 'Code du département d’exercice (75, 2A, 971…)'),
  finess: code('[0-9AB]{9}', 'FINESS de l’établissement (géographique ou juridique) d’exercice'),
  mss: Type.Optional(Type.String({ maxLength: 120, description: 'Début d’une adresse MSSanté' })),
};

const Summary = Type.Object({
  idNat: Type.String({ description: 'idNat_PS' }),
  idType: Type.Union([Type.String(), Type.Null()], { description: '8 : RPPS, 0 : ADELI' }),
  ppId: Type.Union([Type.String(), Type.Null()], { description: 'Numéro RPPS ou ADELI' }),
  nom: Type.Union([Type.String(), Type.Null()]),
  prenom: Type.Union([Type.String(), Type.Null()]),
  professions: Type.Union([Type.String(), Type.Null()]),
  communes: Type.Union([Type.String(), Type.Null()]),
});

const N = Type.Union([Type.String(), Type.Null()]);
const Detail = Type.Object({
  idNat: Type.String(),
  idType: N,
  ppId: N,
  civilite: N,
  civiliteExercice: N,
  nom: N,
  prenom: N,
  active: Type.Boolean(),
  changedAt: Type.Unsafe<Date>({ type: 'string', format: 'date-time' }),
  activities: Type.Array(
    Type.Object({
      profession: N,
      categorie: N,
      mode: N,
      role: N,
      genre: N,
      secteur: N,
      structure: N,
      finess: N,
      finessEj: N,
      siret: N,
      adresse: N,
      codePostal: N,
      commune: N,
      telephone: N,
      categorieEtablissement: N,
    }),
  ),
  savoirFaire: Type.Array(Type.Object({ type: N, libelle: N, code: N })),
  diplomas: Type.Array(Type.Object({ libelle: N, type: N, autorisation: N, discipline: N })),
  mailboxes: Type.Array(Type.Object({ adresse: Type.String(), type: N, structure: N })),
});

const criteriaOf = (q: {
  q?: string;
  profession?: string;
  departement?: string;
  finess?: string;
  mss?: string;
}) => {
  const c: PractitionerCriteria = {};
  if (q.q) c.q = q.q;
  if (q.profession) c.profession = q.profession;
  if (q.departement) c.departement = q.departement;
  if (q.finess) c.finess = q.finess;
  if (q.mss) c.mailbox = q.mss;
  return c;
};

export async function directoryRoutes(app: TypedApp, ctx: AppContext): Promise<void> {
  const canRead = requireScope(ctx.database, 'directory:read');

  app.get(
    '/annuaire',
    {
      schema: {
        hide: true,
        querystring: Type.Object(
          { ...Criteria, apres: Type.Optional(Type.String({ maxLength: 400 })) },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const criteria = criteriaOf(request.query);
      const searching = Object.keys(criteria).length > 0;
      const [last, { byProfession: professions, byDepartement: departements }, found] = await Promise.all([
        lastImport(ctx.database),
        directoryCounts(ctx.database),
        searching
          ? findPractitioners(
              ctx.database,
              criteria,
              request.query.apres ? { cursor: request.query.apres } : {},
            )
          : Promise.resolve(null),
      ]);
      reply.type('text/html; charset=utf-8');
      return annuairePage({ last, professions, departements, criteria, found });
    },
  );

  app.get(
    '/annuaire/professionnels/:idNat',
    { schema: { hide: true, params: Type.Object({ idNat: Type.String({ pattern: '^[0-9]{10,12}$' }) }) } },
    async (request, reply) => {
      const detail = await practitionerDetail(ctx.database, request.params.idNat);
      if (!detail)
        throw new HttpProblem(
          404,
          'Ressource introuvable',
          `Aucun professionnel ${request.params.idNat} dans l’annuaire.`,
        );
      reply.type('text/html; charset=utf-8');
      return practitionerPage(detail);
    },
  );

  app.get(
    '/api/v1/directory/practitioners',
    {
      preHandler: canRead,
      schema: {
        tags: ['Annuaire'],
        summary: 'Rechercher des professionnels',
        description:
          'Professionnels actifs du miroir de l’Annuaire Santé, par nom, profession, département, FINESS ou adresse ' +
          'MSSanté, triés par nom. Les critères d’activité portent sur une même situation d’exercice. ' +
          'Pour l’interopérabilité, préférer l’API FHIR `/fhir`.',
        security: [{ jeton: ['directory:read'] }],
        querystring: Type.Object(
          {
            ...Criteria,
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
            cursor: Type.Optional(
              Type.String({ maxLength: 400, description: 'Curseur `next` de la page précédente' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ items: Type.Array(Summary), next: Type.Union([Type.String(), Type.Null()]) }),
          ...problemResponses(400, 401, 403, 429),
        },
      },
    },
    async (request) => {
      const criteria = criteriaOf(request.query);
      if (Object.keys(criteria).length === 0)
        throw new HttpProblem(
          400,
          'Requête invalide',
          'Donnez au moins un critère : q, profession, departement, finess ou mss.',
        );
      return findPractitioners(ctx.database, criteria, {
        limit: request.query.limit ?? 50,
        ...(request.query.cursor && { cursor: request.query.cursor }),
      });
    },
  );

  app.get(
    '/api/v1/directory/practitioners/:idNat',
    {
      preHandler: canRead,
      schema: {
        tags: ['Annuaire'],
        summary: 'Lire un professionnel',
        description:
          'Identité d’exercice, situations d’exercice et leurs structures, savoir-faire, diplômes et boîtes MSSanté.',
        security: [{ jeton: ['directory:read'] }],
        params: Type.Object({ idNat: Type.String({ pattern: '^[0-9]{10,12}$', description: 'idNat_PS' }) }),
        response: { 200: Detail, ...problemResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) => {
      const detail = await practitionerDetail(ctx.database, request.params.idNat);
      if (!detail)
        throw new HttpProblem(
          404,
          'Ressource introuvable',
          `Aucun professionnel ${request.params.idNat} dans l’annuaire.`,
        );
      return detail;
    },
  );
}
