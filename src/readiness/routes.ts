import { readFileSync } from 'node:fs';
import multipart from '@fastify/multipart';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Static, type TSchema, Type } from 'typebox';
import type { AppContext } from '../app-context.ts';
import { requireScope } from '../auth/api-auth.ts';
import type { TypedApp } from '../http/typed.ts';
import type { ConsoleGuard } from '../web/console-auth.ts';
import { html } from '../web/html.ts';
import { layout } from '../web/layout.ts';
import { expiredFormPage } from '../web/pages/errors.ts';
import {
  certificatesPage,
  contractsPage,
  dashboardPage,
  organisationSettingsPage,
  organisationsPage,
  printablePage,
  staffPage,
} from '../web/pages/prerequis.ts';
import { addCertificate, markInstalled, removeCertificate } from './certificate-store.ts';
import { CertificateError, certificateUsages, likelyUsage, parseCertificate } from './certificates.ts';
import { addContract, addRole, declareRole, recordCde, removeRole } from './contracts.ts';
import { decodeText } from './csv.ts';
import { loadDashboard } from './dashboard.ts';
import {
  createOrganisation,
  getOrganisation,
  listOrganisations,
  type Organisation,
  type ReadinessActor,
  ReadinessError,
  updateEstablishment,
  updateOrganisation,
} from './organisations.ts';
import { defaultRppsPlusTemplate, parseTemplate, rppsPlusFile, toRegister } from './rpps-plus.ts';
import { importStaffCsv, StaffImportError } from './staff.ts';

const finessPattern = '^[0-9][0-9AB][0-9]{7}$';
const Ej = Type.Object({ ej: Type.String({ pattern: finessPattern }) });
const Csrf = { csrf: Type.String({ maxLength: 100 }) };
const Checkbox = Type.Optional(Type.Literal('on'));
const DateField = Type.String({ maxLength: 10 });

const html200 = (reply: FastifyReply, body: string, status = 200) =>
  reply.code(status).type('text/html; charset=utf-8').send(body);

const actorOf = (request: FastifyRequest): ReadinessActor => {
  const s = request.consoleSession;
  return { id: s?.idNat ?? `jeton:${s?.tokenId ?? 'inconnu'}`, means: 'jeton-confiance' };
};

/** Known refusals become a French message on the page; anything else is a real failure. */
const refusal = (e: unknown): { message: string; status: number } | null =>
  e instanceof ReadinessError
    ? { message: e.message, status: e.status }
    : e instanceof CertificateError
      ? { message: e.message, status: 400 }
      : null;

interface Upload {
  fields: Record<string, string>;
  file: { name: string; data: Buffer } | null;
}

/** A multipart form: fields and at most one file, within the limits registered for the scope. */
async function readUpload(request: FastifyRequest): Promise<Upload> {
  const upload: Upload = { fields: {}, file: null };
  for await (const part of request.parts()) {
    if (part.type === 'file') {
      const data = await part.toBuffer();
      if (data.length > 0) upload.file = { name: part.filename, data };
    } else if (typeof part.value === 'string') upload.fields[part.fieldname] = part.value;
  }
  return upload;
}

/** The prerequisites console (`/prerequis`) and its API, behind console sessions and API tokens. */
export async function readinessRoutes(app: TypedApp, ctx: AppContext, guard: ConsoleGuard): Promise<void> {
  await app.register(multipart, {
    limits: { fileSize: 2 * 1024 * 1024, files: 1, fields: 10, fieldSize: 2000, parts: 12 },
    throwFileSizeLimit: true,
  });
  const canRead = guard.require('readiness:read');
  const canWrite = guard.require('readiness:write');
  const csrfOf = (request: FastifyRequest) =>
    request.consoleSession?.scopes.includes('readiness:write') ? guard.csrf(request.consoleSession) : null;
  const template = () =>
    ctx.config.rppsPlusTemplate
      ? parseTemplate(JSON.parse(readFileSync(ctx.config.rppsPlusTemplate, 'utf8')))
      : defaultRppsPlusTemplate;

  const expired = (reply: FastifyReply) => html200(reply, expiredFormPage(), 403);

  type Section = 'dashboard' | 'parametres' | 'contrats' | 'personnel' | 'certificats';
  const show = async (
    request: FastifyRequest,
    reply: FastifyReply,
    ej: string,
    section: Section,
    extra: { error?: string; message?: string; status?: number; lineErrors?: StaffImportError['lines'] } = {},
  ) => {
    const csrf = csrfOf(request);
    const status = extra.status ?? 200;
    if (section === 'parametres')
      return html200(
        reply,
        organisationSettingsPage({ organisation: await getOrganisation(ctx.database, ej), csrf, ...extra }),
        status,
      );
    const dashboard = await loadDashboard(ctx.database, ej);
    if (section === 'contrats') return html200(reply, contractsPage({ dashboard, csrf, ...extra }), status);
    if (section === 'certificats')
      return html200(reply, certificatesPage({ dashboard, csrf, ...extra }), status);
    if (section === 'personnel')
      return html200(
        reply,
        staffPage({
          dashboard,
          csrf,
          ...extra,
          toRegister: toRegister(dashboard.staff, new Date().toISOString().slice(0, 10)).length,
        }),
        status,
      );
    return html200(reply, dashboardPage(dashboard), status);
  };

  /** Runs a change, then shows the section again with its outcome; refusals are shown, never half-saved. */
  const act = async (
    request: FastifyRequest,
    reply: FastifyReply,
    ej: string,
    section: Section,
    change: () => Promise<string>,
  ) => {
    try {
      const message = await change();
      const path = section === 'dashboard' ? '' : `/${section}`;
      return reply.redirect(`/prerequis/${ej}${path}?ok=${encodeURIComponent(message)}`, 303);
    } catch (e) {
      if (e instanceof StaffImportError)
        return show(request, reply, ej, section, { error: e.message, lineErrors: e.lines, status: 400 });
      const r = refusal(e);
      if (!r) throw e;
      if (r.status === 404 && section === 'dashboard')
        return html200(reply, organisationsPage({ organisations: [], csrf: null, error: r.message }), 404);
      return show(request, reply, ej, section, { error: r.message, status: r.status });
    }
  };

  /** A console form on one organisme: CSRF checked, the change made, the section shown again with its outcome. */
  const orgForm = <P extends TSchema, B extends TSchema>(
    url: string,
    params: P,
    body: B,
    section: Section,
    change: (
      org: Organisation,
      r: { params: Static<P> & { ej: string }; body: Static<B>; actor: ReadinessActor },
    ) => Promise<string>,
  ) =>
    app.post(url, { preHandler: canWrite, schema: { hide: true, params, body } }, async (request, reply) => {
      if (!guard.checkForm(request)) return expired(reply);
      const p = request.params as Static<P> & { ej: string };
      return act(request, reply, p.ej, section, async () =>
        change(await getOrganisation(ctx.database, p.ej), {
          params: p,
          body: request.body as Static<B>,
          actor: actorOf(request),
        }),
      );
    });
  const CsrfOnly = Type.Object(Csrf, { additionalProperties: false });

  const Ok = Type.Object(
    { ok: Type.Optional(Type.String({ maxLength: 300 })) },
    { additionalProperties: false },
  );

  app.get('/prerequis', { preHandler: canRead, schema: { hide: true } }, async (request, reply) =>
    html200(
      reply,
      organisationsPage({ organisations: await listOrganisations(ctx.database), csrf: csrfOf(request) }),
    ),
  );

  app.post(
    '/prerequis',
    {
      preHandler: canWrite,
      schema: {
        hide: true,
        body: Type.Object(
          {
            ...Csrf,
            finess: Type.String({ maxLength: 20 }),
            raisonSociale: Type.Optional(Type.String({ maxLength: 200 })),
            siret: Type.Optional(Type.String({ maxLength: 20 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      if (!guard.checkForm(request)) return expired(reply);
      try {
        const org = await createOrganisation(ctx.database, request.body, actorOf(request));
        return reply.redirect(`/prerequis/${org.finessEj}`, 303);
      } catch (e) {
        const r = refusal(e);
        if (!r) throw e;
        return html200(
          reply,
          organisationsPage({
            organisations: await listOrganisations(ctx.database),
            csrf: csrfOf(request),
            error: r.message,
          }),
          r.status,
        );
      }
    },
  );

  const pages: Array<[string, Section]> = [
    ['', 'dashboard'],
    ['/parametres', 'parametres'],
    ['/contrats', 'contrats'],
    ['/personnel', 'personnel'],
    ['/certificats', 'certificats'],
  ];
  for (const [path, section] of pages)
    app.get(
      `/prerequis/:ej${path}`,
      { preHandler: canRead, schema: { hide: true, params: Ej, querystring: Ok } },
      async (request, reply) => {
        try {
          return await show(
            request,
            reply,
            request.params.ej,
            section,
            request.query.ok ? { message: request.query.ok } : {},
          );
        } catch (e) {
          const r = refusal(e);
          if (!r) throw e;
          return html200(
            reply,
            layout({
              title: 'Organisme inconnu',
              body: html`<h1>Organisme inconnu</h1><p>${r.message}</p><p><a href="/prerequis">Retour aux organismes</a></p>`,
            }),
            r.status,
          );
        }
      },
    );

  app.get(
    '/prerequis/:ej/impression',
    { preHandler: canRead, schema: { hide: true, params: Ej } },
    async (request, reply) =>
      html200(reply, printablePage(await loadDashboard(ctx.database, request.params.ej))),
  );

  app.post(
    '/prerequis/:ej/parametres',
    {
      preHandler: canWrite,
      schema: {
        hide: true,
        params: Ej,
        body: Type.Object(
          {
            ...Csrf,
            raisonSociale: Type.String({ maxLength: 200 }),
            siret: Type.Optional(Type.String({ maxLength: 20 })),
            legalRepActsAlone: Checkbox,
            rppsPlusMode: Type.Union([Type.Literal('centralise'), Type.Literal('par-eg')]),
            alertEmails: Type.Optional(Type.String({ maxLength: 1000 })),
            editorName: Type.Optional(Type.String({ maxLength: 200 })),
            insWithCertificate: Checkbox,
            dmpWithCertificate: Checkbox,
            supportsPsc: Checkbox,
            processesHealthData: Checkbox,
            shared: Checkbox,
            integratesShared: Checkbox,
            externalAccess: Checkbox,
            newUsagersPerYear: Type.Integer({ minimum: 0, maximum: 10_000_000 }),
            professionalsPerYear: Type.Integer({ minimum: 0, maximum: 10_000_000 }),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      if (!guard.checkForm(request)) return expired(reply);
      const b = request.body;
      return act(request, reply, request.params.ej, 'parametres', async () => {
        await updateOrganisation(
          ctx.database,
          request.params.ej,
          {
            raisonSociale: b.raisonSociale,
            siret: b.siret?.trim() || null,
            legalRepActsAlone: !!b.legalRepActsAlone,
            rppsPlusMode: b.rppsPlusMode,
            alertEmails: (b.alertEmails ?? '')
              .split(/[,;\s]+/)
              .map((e) => e.trim())
              .filter(Boolean),
            editor: {
              name: b.editorName?.trim() ?? '',
              insWithCertificate: !!b.insWithCertificate,
              dmpWithCertificate: !!b.dmpWithCertificate,
              supportsPsc: !!b.supportsPsc,
            },
            dui: {
              processesHealthData: !!b.processesHealthData,
              shared: !!b.shared,
              integratesShared: !!b.integratesShared,
              externalAccess: !!b.externalAccess,
              newUsagersPerYear: b.newUsagersPerYear,
              professionalsPerYear: b.professionalsPerYear,
            },
          },
          actorOf(request),
        );
        return 'Paramètres de l’organisme enregistrés.';
      });
    },
  );

  app.post(
    '/prerequis/:ej/etablissements/:finess',
    {
      preHandler: canWrite,
      schema: {
        hide: true,
        params: Type.Object({
          ej: Type.String({ pattern: finessPattern }),
          finess: Type.String({ pattern: finessPattern }),
        }),
        body: Type.Object(
          {
            ...Csrf,
            identityCharter: Checkbox,
            autoHomologation: Checkbox,
            documentsIdentified: Checkbox,
            usagersInformed: Checkbox,
            consentCollected: Checkbox,
            mssOperator: Type.Optional(Type.String({ maxLength: 100 })),
            mssPartnersIdentified: Checkbox,
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      if (!guard.checkForm(request)) return expired(reply);
      const b = request.body;
      return act(request, reply, request.params.ej, 'parametres', async () => {
        await updateEstablishment(
          ctx.database,
          request.params.ej,
          request.params.finess,
          {
            identityCharter: !!b.identityCharter,
            autoHomologation: !!b.autoHomologation,
            documentsIdentified: !!b.documentsIdentified,
            usagersInformed: !!b.usagersInformed,
            consentCollected: !!b.consentCollected,
            mssOperator: b.mssOperator ?? null,
            mssPartnersIdentified: !!b.mssPartnersIdentified,
          },
          actorOf(request),
        );
        return `Établissement ${request.params.finess} enregistré.`;
      });
    },
  );

  orgForm(
    '/prerequis/:ej/contrats',
    Ej,
    Type.Object(
      {
        ...Csrf,
        level: Type.Union([Type.Literal('EJ'), Type.Literal('EG')]),
        finess: Type.Optional(Type.String({ maxLength: 9 })),
        representantLegal: Type.String({ maxLength: 100 }),
        signedOn: DateField,
        cdeReceivedOn: Type.Optional(DateField),
      },
      { additionalProperties: false },
    ),
    'contrats',
    async (org, { body: b, actor }) => {
      await addContract(
        ctx.database,
        org,
        { ...b, finess: b.finess ?? '', cdeReceivedOn: b.cdeReceivedOn ?? '' },
        actor,
      );
      return 'Contrat d’adhésion enregistré.';
    },
  );

  const IdParams = Type.Object({
    ej: Type.String({ pattern: finessPattern }),
    id: Type.Integer({ minimum: 1 }),
  });
  const DateBody = Type.Object({ ...Csrf, date: DateField }, { additionalProperties: false });

  orgForm('/prerequis/:ej/contrats/:id/cde', IdParams, DateBody, 'contrats', async (org, r) => {
    await recordCde(ctx.database, org, r.params.id, r.body.date, r.actor);
    return 'Réception de la carte CDE enregistrée.';
  });

  orgForm(
    '/prerequis/:ej/profils',
    Ej,
    Type.Object(
      {
        ...Csrf,
        role: Type.String({ maxLength: 30 }),
        finessEg: Type.Optional(Type.String({ maxLength: 9 })),
        person: Type.String({ maxLength: 100 }),
        email: Type.Optional(Type.String({ maxLength: 200 })),
        card: Type.String({ maxLength: 10 }),
        healthProfessional: Checkbox,
        editorStaff: Checkbox,
        declaredVia: Type.Optional(Type.String({ maxLength: 20 })),
        declaredOn: Type.Optional(DateField),
      },
      { additionalProperties: false },
    ),
    'contrats',
    async (org, { body: b, actor }) => {
      await addRole(
        ctx.database,
        org,
        {
          role: b.role,
          finessEg: b.finessEg ?? '',
          person: b.person,
          email: b.email ?? '',
          card: b.card,
          healthProfessional: !!b.healthProfessional,
          editorStaff: !!b.editorStaff,
          declaredVia: b.declaredVia ?? '',
          declaredOn: b.declaredOn ?? '',
        },
        actor,
      );
      return 'Profil enregistré.';
    },
  );

  orgForm(
    '/prerequis/:ej/profils/:id/declaration',
    IdParams,
    Type.Object(
      { ...Csrf, via: Type.String({ maxLength: 20 }), date: DateField },
      { additionalProperties: false },
    ),
    'contrats',
    async (org, r) => {
      await declareRole(ctx.database, org, r.params.id, r.body.via, r.body.date, r.actor);
      return 'Déclaration enregistrée.';
    },
  );

  orgForm('/prerequis/:ej/profils/:id/suppression', IdParams, CsrfOnly, 'contrats', async (org, r) => {
    await removeRole(ctx.database, org, r.params.id, r.actor);
    return 'Profil retiré.';
  });

  app.post(
    '/prerequis/:ej/personnel/import',
    { preHandler: canWrite, schema: { hide: true, params: Ej } },
    async (request, reply) => {
      const upload = await readUpload(request);
      if (!guard.checkToken(request, upload.fields.csrf)) return expired(reply);
      return act(request, reply, request.params.ej, 'personnel', async () => {
        if (!upload.file) throw new ReadinessError('Aucun fichier reçu.');
        const org = await getOrganisation(ctx.database, request.params.ej);
        const r = await importStaffCsv(ctx.database, org, decodeText(upload.file.data), actorOf(request));
        return `Fichier importé : ${r.created} salarié(s) ajouté(s), ${r.updated} mis à jour, ${r.matched} numéro(s) trouvé(s) dans l’annuaire.`;
      });
    },
  );

  app.get(
    '/prerequis/:ej/personnel/rpps-plus.csv',
    { preHandler: canRead, schema: { hide: true, params: Ej } },
    async (request, reply) => {
      const d = await loadDashboard(ctx.database, request.params.ej);
      const file = rppsPlusFile(toRegister(d.staff, new Date().toISOString().slice(0, 10)), template());
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="rpps-plus-${request.params.ej}.csv"`)
        .send(`\ufeff${file}`);
    },
  );

  app.post(
    '/prerequis/:ej/certificats',
    { preHandler: canWrite, schema: { hide: true, params: Ej } },
    async (request, reply) => {
      const upload = await readUpload(request);
      if (!guard.checkToken(request, upload.fields.csrf)) return expired(reply);
      return act(request, reply, request.params.ej, 'certificats', async () => {
        if (!upload.file) throw new ReadinessError('Aucun fichier reçu.');
        const parsed = parseCertificate(new Uint8Array(upload.file.data), upload.fields.motDePasse ?? '');
        const asked = upload.fields.usage ?? '';
        const usage = certificateUsages.find((u) => u === asked) ?? likelyUsage(parsed);
        const org = await getOrganisation(ctx.database, request.params.ej);
        await addCertificate(ctx.database, org, parsed, usage, actorOf(request));
        return `Certificat ${parsed.cn ?? parsed.kind} enregistré (${parsed.kind}, valable jusqu’au ${parsed.notAfter.toISOString().slice(0, 10).split('-').reverse().join('/')}).`;
      });
    },
  );

  const FpParams = Type.Object({
    ej: Type.String({ pattern: finessPattern }),
    fp: Type.String({ pattern: '^[0-9a-f]{64}$' }),
  });

  orgForm(
    '/prerequis/:ej/certificats/:fp/installation',
    FpParams,
    DateBody,
    'certificats',
    async (org, r) => {
      await markInstalled(ctx.database, org, r.params.fp, r.body.date, r.actor);
      return 'Installation du certificat enregistrée.';
    },
  );

  orgForm('/prerequis/:ej/certificats/:fp/suppression', FpParams, CsrfOnly, 'certificats', async (org, r) => {
    await removeCertificate(ctx.database, org, r.params.fp, r.actor);
    return 'Certificat retiré.';
  });

  app.get(
    '/api/v1/readiness/:ej',
    {
      preHandler: requireScope(ctx.database, 'readiness:read'),
      schema: {
        tags: ['Prérequis'],
        summary: 'État des prérequis Ségur d’un organisme gestionnaire, par établissement et service socle',
        security: [{ jeton: [] }],
        params: Ej,
      },
    },
    async (request) => {
      const d = await loadDashboard(ctx.database, request.params.ej);
      return {
        finessEj: d.organisation.finessEj,
        raisonSociale: d.organisation.raisonSociale,
        generatedAt: d.generatedAt.toISOString(),
        dui: d.dui,
        establishments: d.establishments.map((e) => ({
          finess: e.establishment.finess,
          raisonSociale: e.establishment.record?.raisonSociale ?? null,
          services: e.readiness.services,
          staff: e.coverage,
        })),
        certificates: d.certificates.map((c) => ({
          usage: c.usage,
          kind: c.kind,
          cn: c.cn,
          notAfter: c.notAfter.toISOString(),
          daysLeft: c.daysLeft,
          installedOn: c.installedOn,
        })),
      };
    },
  );
}
