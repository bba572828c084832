import { Type } from 'typebox';
import type { AppContext } from '../app-context.ts';
import type { TypedApp } from '../http/typed.ts';
import { annuairePage } from '../web/pages/annuaire.ts';
import { countsByDepartement, countsByProfession, lastImport, searchProfessionals } from './queries.ts';

export async function directoryRoutes(app: TypedApp, ctx: AppContext): Promise<void> {
  app.get(
    '/annuaire',
    {
      schema: {
        hide: true,
        querystring: Type.Object(
          { q: Type.Optional(Type.String({ maxLength: 100 })) },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const query = request.query.q?.trim() ?? '';
      const [last, professions, departements, found] = await Promise.all([
        lastImport(ctx.database),
        countsByProfession(ctx.database),
        countsByDepartement(ctx.database),
        query.length > 0 ? searchProfessionals(ctx.database, query) : Promise.resolve([]),
      ]);
      reply.type('text/html; charset=utf-8');
      return annuairePage({ last, professions, departements, query, found });
    },
  );
}
