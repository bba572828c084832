import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/app.ts';
import { describeEachDriver } from '../../../test/databases.ts';
import { generateDirectory } from '../generate/generate.ts';
import { importDirectory } from '../import/import.ts';
import { parseSearch, resourceTypes, searchParameters } from './params.ts';
import { keyArray, practitionerRows, resourceObject } from './rows.ts';
import { search } from './search.ts';
import { codeSystem, identifierSystem, profile } from './systems.ts';

type Json = Record<string, any>;

describeEachDriver('FHIR API of the directory', (driver) => {
  let s: TestApp;
  let get: (url: string) => Promise<{ status: number; body: Json; type: string }>;
  let someone: { id_nat: string; pp_id: string; nom_exercice: string; prenom_exercice: string };

  beforeAll(async () => {
    // Hundreds of lookups in a row: the rate limit has its own tests.
    s = await createTestApp(driver, {
      CONFIANCE_BASE_URL: 'https://confiance.test',
      CONFIANCE_RATE_LIMIT_MAX: '100000',
    });
    get = async (url) => {
      const res = await s.app.inject({ url });
      return { status: res.statusCode, body: res.json(), type: String(res.headers['content-type']) };
    };
    const out = mkdtempSync(join(tmpdir(), 'confiance-fhir-'));
    const days = await generateDirectory({
      profile: { persons: 400, structures: 30, departure: 0.02, arrival: 0.02, move: 0.02, closure: 0.03 },
      seed: 7,
      days: 2,
      out,
    });
    expect((await importDirectory(s.t.database, [days[0]?.dir ?? ''])).status).toBe('success');
    someone = (
      await sql<typeof someone>`
        select p.id_nat, p.pp_id, p.nom_exercice, p.prenom_exercice from dir_professional p
        where p.id_type = '8' and exists (select 1 from dir_savoir_faire s where s.id_nat = p.id_nat)
        order by p.id_nat limit 1`.execute(s.t.database.db)
    ).rows[0] as typeof someone;
  }, 120_000);
  afterAll(() => s.close());

  it('describes itself in a CapabilityStatement that lists every search parameter', async () => {
    const { status, body, type } = await get('/fhir/metadata');
    expect(status).toBe(200);
    expect(type).toContain('application/fhir+json');
    expect(body.resourceType).toBe('CapabilityStatement');
    const practitioner = body.rest[0].resource.find((r: Json) => r.type === 'Practitioner');
    expect(practitioner.searchParam.map((p: Json) => p.name)).toEqual(
      expect.arrayContaining([
        'identifier',
        'name',
        'qualification-code',
        '_lastUpdated',
        'address-postalcode',
      ]),
    );
    expect(practitioner.searchRevInclude).toEqual(['PractitionerRole:practitioner']);
  });

  it('compresses large answers for clients that accept gzip or Brotli, kept ones included', async () => {
    const url = '/fhir/Practitioner?_count=50';
    const plain = await s.app.inject({ url });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.vary).toBe('accept-encoding');
    const codings = [
      ['gzip, deflate', 'gzip', gunzipSync],
      ['gzip;q=0.5, br', 'br', brotliDecompressSync],
    ] as const;
    // Worked out from the plain answer kept by the first request, then kept compressed.
    for (const [accept, coding, decode] of codings)
      for (let round = 0; round < 2; round++) {
        const res = await s.app.inject({ url, headers: { 'accept-encoding': accept } });
        expect(res.headers['content-encoding']).toBe(coding);
        expect(res.headers.vary).toBe('accept-encoding');
        expect(res.rawPayload.length).toBeLessThan(plain.rawPayload.length / 4);
        expect(decode(res.rawPayload)).toEqual(plain.rawPayload);
      }
    // A next page (never kept) and a read are compressed too; a refusal and small errors are not.
    const next = (plain.json().link as Json[]).find((l) => l.relation === 'next')?.url as string;
    const page = await s.app.inject({
      url: next.replace('https://confiance.test', ''),
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(page.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(gunzipSync(page.rawPayload).toString()).entry).toHaveLength(50);
    const read = await s.app.inject({
      url: `/fhir/Practitioner/${someone.id_nat}`,
      headers: { 'accept-encoding': 'br' },
    });
    expect(JSON.parse(brotliDecompressSync(read.rawPayload).toString()).id).toBe(someone.id_nat);
    const refused = await s.app.inject({ url, headers: { 'accept-encoding': 'gzip;q=0, identity' } });
    expect(refused.headers['content-encoding']).toBeUndefined();
    expect(refused.rawPayload).toEqual(plain.rawPayload);
    const error = await s.app.inject({
      url: '/fhir/Practitioner?nope=1',
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(error.statusCode).toBe(400);
    expect(error.headers['content-encoding']).toBeUndefined();
    expect(error.json().resourceType).toBe('OperationOutcome');
  });

  it('finds a practitioner by RPPS, with or without system, and by idNat_PS, shaped as as-dp-practitioner', async () => {
    const byRpps = await get(`/fhir/Practitioner?identifier=${someone.pp_id}`);
    expect(byRpps.status).toBe(200);
    expect(byRpps.body).toMatchObject({ resourceType: 'Bundle', type: 'searchset', total: 1 });
    const p = byRpps.body.entry[0].resource;
    expect(byRpps.body.entry[0].fullUrl).toBe(`https://confiance.test/fhir/Practitioner/${someone.id_nat}`);
    expect(p.identifier).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ system: identifierSystem.idNatPs, value: someone.id_nat }),
        expect.objectContaining({ system: identifierSystem.rpps, value: someone.pp_id }),
      ]),
    );
    expect(p.name[0].family).toBe(someone.nom_exercice);
    expect(p.meta.profile).toContain(
      'https://interop.esante.gouv.fr/ig/fhir/annuaire/StructureDefinition/as-dp-practitioner',
    );
    expect(p.qualification.length).toBeGreaterThanOrEqual(2);
    const withSystem = await get(
      `/fhir/Practitioner?identifier=${encodeURIComponent(`${identifierSystem.rpps}|${someone.pp_id}`)}`,
    );
    expect(withSystem.body.total).toBe(1);
    const byIdNat = await get(`/fhir/Practitioner?identifier=${someone.id_nat}`);
    expect(byIdNat.body.entry[0].resource.id).toBe(someone.id_nat);
    const read = await get(`/fhir/Practitioner/${someone.id_nat}`);
    expect(read.body).toEqual(p);
  });

  it('answers a repeated lookup by identifier from the answer kept for the generation', async () => {
    const url = `/fhir/Practitioner?identifier=${someone.pp_id}&_total=accurate`;
    const first = await get(url);
    const again = await get(url);
    expect(again.body).toEqual(first.body);
    const fresh = await search(s.t.database, parseSearch('Practitioner', { identifier: someone.pp_id }));
    expect(again.body.entry.map((e: Json) => e.resource)).toEqual(fresh.matches.map(resourceObject));
    // Another query, even about the same practitioner, has its own answer.
    const subset = await get(`/fhir/Practitioner?identifier=${someone.pp_id}&_elements=identifier`);
    expect(subset.body.id).not.toBe(first.body.id);
    expect(subset.body.entry[0].resource.name).toBeUndefined();
    // A search's first page too; its next link pages on from it.
    const named = `/fhir/Practitioner?family=${someone.nom_exercice.slice(0, 1)}&_count=2`;
    const page = await get(named);
    expect((await get(named)).body).toEqual(page.body);
    const freshPage = await search(
      s.t.database,
      parseSearch('Practitioner', { family: someone.nom_exercice.slice(0, 1), _count: '2' }),
    );
    expect(page.body.entry.map((e: Json) => e.resource)).toEqual(freshPage.matches.map(resourceObject));
    const next = page.body.link.find((l: Json) => l.relation === 'next');
    expect((await get(new URL(next.url).pathname + new URL(next.url).search)).status).toBe(200);
  });

  it('answers concurrent lookups by identifier each with its own practitioners, pages past _count', async () => {
    const people = (
      await sql<{ id_nat: string; pp_id: string; id_type: string }>`
        (select id_nat, pp_id, id_type from dir_professional where id_type = '0' limit 5)
        union all (select id_nat, pp_id, id_type from dir_professional where id_type = '8' order by md5(id_nat) limit 35)`.execute(
        s.t.database.db,
      )
    ).rows;
    const adeli = people.find((p) => p.id_type === '0');
    expect(adeli).toBeDefined();
    const forms = people.flatMap((p, i) => [
      { url: `identifier=${p.pp_id}`, ids: [p.id_nat] },
      {
        url: `identifier=${encodeURIComponent(`${identifierSystem.rpps}|${p.pp_id}`)}`,
        ids: p.id_type === '8' ? [p.id_nat] : [],
      },
      { url: `identifier=${encodeURIComponent(`${identifierSystem.idNatPs}|${p.id_nat}`)}`, ids: [p.id_nat] },
      ...(i % 5 === 0 ? [{ url: `identifier=${p.pp_id},00000000000`, ids: [p.id_nat] }] : []),
    ]);
    const answers = await Promise.all(forms.map((f) => get(`/fhir/Practitioner?${f.url}`)));
    for (const [i, f] of forms.entries()) {
      expect(answers[i]?.status).toBe(200);
      expect({ url: f.url, ids: (answers[i]?.body.entry ?? []).map((e: Json) => e.resource.id) }).toEqual(f);
      expect(answers[i]?.body.total).toBe(f.ids.length);
    }
    const [a, b] = people;
    const two = await get(`/fhir/Practitioner?identifier=${a?.pp_id},${b?.pp_id}&_count=1`);
    expect(two.body.total).toBe(2);
    expect(two.body.entry).toHaveLength(1);
    const next = two.body.link
      .find((l: Json) => l.relation === 'next')
      .url.replace('https://confiance.test', '');
    const second = await get(next);
    expect([two.body.entry[0].resource.id, second.body.entry[0].resource.id].sort()).toEqual(
      [a?.id_nat, b?.id_nat].sort(),
    );
  });

  it('matches names without accents or case, by prefix, :contains and :exact', async () => {
    const prefix = someone.nom_exercice.slice(0, 3).toLowerCase();
    const found = await get(`/fhir/Practitioner?family=${encodeURIComponent(prefix)}&_count=200`);
    expect(found.status).toBe(200);
    const families = found.body.entry.map((e: Json) => e.resource.name[0].family as string);
    expect(families).toContain(someone.nom_exercice);
    for (const f of families)
      expect(
        f
          .normalize('NFD')
          .replace(/\p{M}/gu, '')
          .toLowerCase()
          .startsWith(prefix.normalize('NFD').replace(/\p{M}/gu, '')),
      ).toBe(true);
    const inner = someone.nom_exercice.slice(1, 4);
    const contains = await get(`/fhir/Practitioner?name:contains=${encodeURIComponent(inner)}&_count=200`);
    expect(contains.body.entry.map((e: Json) => e.resource.id)).toContain(someone.id_nat);
    const exact = await get(
      `/fhir/Practitioner?family:exact=${encodeURIComponent(someone.nom_exercice.toLowerCase())}`,
    );
    expect(exact.body.total).toBe(0);
  });

  it('pages name searches in name order, each practitioner once, whichever name and prefix matched', async () => {
    const prefixes = ['ma', 'É', 'j'];
    const expected = (
      await sql<{ id_nat: string; family: string; given: string }>`
        select id_nat, dir_norm(nom_exercice) as family, dir_norm(prenom_exercice) as given from dir_professional
        where dir_norm(nom_exercice) ~ '^(ma|e|j)' or dir_norm(prenom_exercice) ~ '^(ma|e|j)'`.execute(
        s.t.database.db,
      )
    ).rows;
    expect(expected.length).toBeGreaterThan(40);
    const sortValue = new Map(
      expected.map((r) => [
        r.id_nat,
        [r.family, r.given].filter((n) => ['ma', 'e', 'j'].some((p) => n.startsWith(p))).sort()[0] as string,
      ]),
    );
    const seen: string[] = [];
    let url: string | undefined =
      `/fhir/Practitioner?name=${prefixes.map(encodeURIComponent).join(',')}&_count=9`;
    let total = 0;
    while (url) {
      const page = await get(url.replace('https://confiance.test', ''));
      expect(page.status).toBe(200);
      total = page.body.total;
      seen.push(...(page.body.entry ?? []).map((e: Json) => e.resource.id as string));
      url = page.body.link.find((l: Json) => l.relation === 'next')?.url;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(new Set(seen)).toEqual(new Set(sortValue.keys()));
    expect(total).toBe(seen.length);
    const order = seen.map((id) => [sortValue.get(id) as string, id] as const);
    const sorted = [...order].sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0));
    expect(order).toEqual(sorted);

    const first = await get('/fhir/Practitioner?family=ma&_count=2');
    const next = first.body.link.find((l: Json) => l.relation === 'next').url as string;
    const token = new URL(next).searchParams.get('_page');
    const elsewhere = await get(`/fhir/Practitioner?_count=2&_page=${token}`);
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.body.issue[0].expression).toEqual(['_page']);
  });

  it('searches by profession, postal code and département together, beyond the national API', async () => {
    const activity = (
      await sql<{ profession_code: string; code_postal: string; departement_code: string }>`
        select profession_code, code_postal, departement_code from dir_activity
        where active and code_postal is not null order by key limit 1`.execute(s.t.database.db)
    ).rows[0]!;
    const res = await get(
      `/fhir/Practitioner?profession=${activity.profession_code}&address-postalcode=${activity.code_postal.slice(0, 2)}&address-department=${activity.departement_code}`,
    );
    expect(res.status).toBe(200);
    expect(res.body.total).toBeGreaterThan(0);
    for (const e of res.body.entry)
      expect(
        e.resource.qualification.some((q: Json) =>
          q.code.coding.some((c: Json) => c.code === activity.profession_code),
        ),
      ).toBe(true);
  });

  it('pages with stable next links until every match was returned once', async () => {
    const seen = new Set<string>();
    let url: string | undefined = '/fhir/Practitioner?_count=37&_total=accurate';
    let total = 0;
    let pages = 0;
    while (url) {
      const page = await get(url.replace('https://confiance.test', ''));
      expect(page.status).toBe(200);
      total = page.body.total;
      for (const e of page.body.entry ?? []) {
        expect(seen.has(e.resource.id)).toBe(false);
        seen.add(e.resource.id);
      }
      url = page.body.link.find((l: Json) => l.relation === 'next')?.url;
      pages++;
    }
    expect(seen.size).toBe(total);
    expect(pages).toBe(Math.ceil(total / 37));
  });

  it('links roles, practitioners and organizations with _include and _revinclude', async () => {
    const withRoles = await get(
      `/fhir/Practitioner?_id=${someone.id_nat}&_revinclude=PractitionerRole:practitioner`,
    );
    const included = withRoles.body.entry.filter((e: Json) => e.search.mode === 'include');
    expect(included.length).toBeGreaterThan(0);
    for (const e of included)
      expect(e.resource.practitioner.reference).toBe(`Practitioner/${someone.id_nat}`);

    const role = included[0].resource;
    const roleRead = await get(`/fhir/PractitionerRole/${role.id}`);
    expect(roleRead.body.id).toBe(role.id);

    const finess = (
      await sql<{ finess_site: string }>`
        select a.finess_site from dir_activity a join dir_structure s on s.finess = a.finess_site
        where a.active order by a.key limit 1`.execute(s.t.database.db)
    ).rows[0]!.finess_site;
    const roles = await get(
      `/fhir/PractitionerRole?organization=Organization/${finess}&_include=PractitionerRole:*`,
    );
    expect(roles.body.total).toBeGreaterThan(0);
    const types = new Set(roles.body.entry.map((e: Json) => `${e.search.mode}:${e.resource.resourceType}`));
    expect(types).toEqual(
      new Set(['match:PractitionerRole', 'include:Practitioner', 'include:Organization']),
    );
    const chained = await get(
      `/fhir/PractitionerRole?organization.identifier=${encodeURIComponent(`${identifierSystem.finess}|${finess}`)}`,
    );
    expect(chained.body.total).toBe(roles.body.total);

    const org = await get(
      `/fhir/Organization?identifier=${finess}&_revinclude=PractitionerRole:organization`,
    );
    expect(org.body.entry[0].resource).toMatchObject({
      resourceType: 'Organization',
      id: finess,
      active: true,
    });
    expect(org.body.entry[0].resource.address[0].postalCode).toMatch(/^\d{5}$/);
    expect(org.body.entry.filter((e: Json) => e.search.mode === 'include').length).toBe(roles.body.total);
  });

  it('serves cabinets known only from the RPPS as Organization, referenced by their roles', async () => {
    const cabinet = (
      await sql<{ structure_id: string; raison_sociale: string; code_postal: string; roles: number }>`
        select c.structure_id, c.raison_sociale, c.code_postal,
          (select count(*)::int from dir_activity a where a.active and a.finess_site is null
            and a.structure_id = c.structure_id) as roles
        from dir_cabinet c where c.active order by c.structure_id limit 1`.execute(s.t.database.db)
    ).rows[0]!;
    expect(cabinet.roles).toBeGreaterThan(0);

    const read = await get(`/fhir/Organization/${cabinet.structure_id}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      resourceType: 'Organization',
      id: cabinet.structure_id,
      active: true,
      name: cabinet.raison_sociale,
      identifier: [{ system: identifierSystem.idNatStruct, value: cabinet.structure_id }],
      address: [{ postalCode: cabinet.code_postal }],
    });
    expect(read.body.meta.profile).toEqual(profile.organization);

    const roles = await get(
      `/fhir/PractitionerRole?organization=Organization/${cabinet.structure_id}&_include=PractitionerRole:organization`,
    );
    const matches = roles.body.entry.filter((e: Json) => e.search.mode === 'match');
    expect(matches).toHaveLength(cabinet.roles);
    for (const e of matches)
      expect(e.resource.organization.reference).toBe(`Organization/${cabinet.structure_id}`);
    expect(
      roles.body.entry.filter((e: Json) => e.search.mode === 'include').map((e: Json) => e.resource.id),
    ).toEqual([cabinet.structure_id]);

    const byIdentifier = await get(
      `/fhir/Organization?identifier=${encodeURIComponent(`${identifierSystem.idNatStruct}|${cabinet.structure_id}`)}&_revinclude=PractitionerRole:organization`,
    );
    expect(byIdentifier.body.entry.map((e: Json) => `${e.search.mode}:${e.resource.id}`)).toEqual([
      `match:${cabinet.structure_id}`,
      ...matches.map((e: Json) => `include:${e.resource.id}`),
    ]);
    // FINESS structures keep their idNat_Struct (1 + FINESS) and no cabinet has a FINESS.
    const finess = (
      await sql<{
        finess: string;
      }>`select finess from dir_structure where active order by finess limit 1`.execute(s.t.database.db)
    ).rows[0]!.finess;
    const structure = await get(
      `/fhir/Organization?identifier=${encodeURIComponent(`${identifierSystem.idNatStruct}|1${finess}`)}`,
    );
    expect(structure.body.entry.map((e: Json) => e.resource.id)).toEqual([finess]);
    const withFiness = await get(
      `/fhir/Organization?identifier=${encodeURIComponent(`${identifierSystem.finess}|`)}&_count=0`,
    );
    const structures = await sql<{ n: number }>`select count(*)::int as n from dir_structure`.execute(
      s.t.database.db,
    );
    expect(withFiness.body.total).toBe(structures.rows[0]?.n);

    // Searches by name and place find cabinets as they find FINESS structures.
    const byName = await get(
      `/fhir/Organization?name=${encodeURIComponent(cabinet.raison_sociale)}&address-postalcode=${cabinet.code_postal}`,
    );
    expect(byName.body.entry.map((e: Json) => e.resource.id)).toContain(cabinet.structure_id);

    // Paging walks both kinds in id order, each once.
    const all = await sql<{ n: number }>`select count(*)::int as n from dir_organization`.execute(
      s.t.database.db,
    );
    const seen: string[] = [];
    let url: string | null = '/fhir/Organization?_count=50';
    while (url) {
      const page: { body: Json } = await get(url.replace('https://confiance.test', ''));
      seen.push(...page.body.entry.map((e: Json) => e.resource.id as string));
      url = page.body.link.find((l: Json) => l.relation === 'next')?.url ?? null;
    }
    expect(seen).toHaveLength(all.rows[0]?.n ?? 0);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toContain(cabinet.structure_id);
    expect(seen).toContain(finess);
  });

  it('searches Organizations by address line and by any part of their address, FINESS structures and cabinets', async () => {
    // The lines the search reads are those each Organization serves, normalised one per text line.
    const organizations = await sql<{
      id: string;
      active: boolean;
      address_line: string[];
      lines: string;
      address_text: string;
    }>`
      select id, active, address_line, dir_norm(array_to_string(address_line, chr(10))) as lines, address_text
      from dir_organization order by id`.execute(s.t.database.db);
    for (const o of organizations.rows) {
      expect(o.address_text ?? '').toBe(o.lines);
      // A deactivated one keeps its address for searches, as for its name, but is served reduced to identifiers.
      if (!o.active) continue;
      const served = await get(`/fhir/Organization/${o.id}`);
      expect(served.body.address[0].line ?? []).toEqual(o.address_line);
    }
    const streetOf = async (kind: 'finess' | 'cabinet') =>
      (
        await sql<{ id: string; street: string; commune: string; code_postal: string }>`
          select id, address_line[array_upper(address_line, 1)] as street, commune, code_postal
          from ${sql.raw(`dir_organization_${kind}`)}
          where active and address_line[array_upper(address_line, 1)] ~ '^[0-9]+ ' order by id limit 1`.execute(
          s.t.database.db,
        )
      ).rows[0]!;
    const ids = async (query: string) => {
      const res = await get(`/fhir/Organization?${query}&_count=1000`);
      expect(res.status, query).toBe(200);
      return (res.body.entry ?? []).map((e: Json) => e.resource.id as string);
    };
    for (const kind of ['finess', 'cabinet'] as const) {
      const o = await streetOf(kind);
      const [number, ...words] = o.street.split(' ');
      const lastWord = words[words.length - 1] as string;
      // A prefix starts a line, without case or accents; :contains finds a word inside; :exact the line as written.
      expect(await ids(`address-line=${encodeURIComponent(o.street.toLowerCase())}`)).toContain(o.id);
      expect(await ids(`address-line=${encodeURIComponent(`${number} ${words[0]}`)}`)).toContain(o.id);
      expect(await ids(`address-line=${encodeURIComponent(lastWord)}`)).not.toContain(o.id);
      expect(await ids(`address-line:contains=${encodeURIComponent(lastWord)}`)).toContain(o.id);
      expect(await ids(`address-line:exact=${encodeURIComponent(o.street)}`)).toContain(o.id);
      expect(await ids(`address-line:exact=${encodeURIComponent(o.street.toLowerCase())}`)).not.toContain(
        o.id,
      );
      // address: a line, the city or the postal code.
      expect(await ids(`address=${encodeURIComponent(o.commune)}`)).toContain(o.id);
      expect(await ids(`address=${o.code_postal}`)).toContain(o.id);
      expect(await ids(`address=${encodeURIComponent(`${number} ${words[0]}`)}`)).toContain(o.id);
    }
    // Every match of a prefix has a line that starts with it.
    const prefix = (await streetOf('cabinet')).street.split(' ').slice(0, 2).join(' ');
    const found = await ids(`address-line=${encodeURIComponent(prefix)}`);
    const lines = new Map(organizations.rows.map((o) => [o.id, o.lines.split('\n')]));
    const normalised = prefix.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
    for (const id of found) expect(lines.get(id)?.some((l) => l.startsWith(normalised))).toBe(true);
    expect(found.length).toBeGreaterThan(0);
    expect(await ids('address-line:contains=zzzz')).toEqual([]);
  });

  it('serves the social equipment of ESMS as HealthcareService, linked to its organization both ways', async () => {
    const ehpad = await get(
      `/fhir/HealthcareService?service-type=${codeSystem.disciplineEquipementSocial}|924&_include=HealthcareService:organization`,
    );
    expect(ehpad.status).toBe(200);
    const services = ehpad.body.entry
      .filter((e: Json) => e.search.mode === 'match')
      .map((e: Json) => e.resource);
    expect(services.length).toBeGreaterThan(0);
    const service = services[0];
    expect(service.meta.profile).toEqual([
      'https://interop.esante.gouv.fr/ig/fhir/annuaire/StructureDefinition/as-dp-healthcareservice-social-equipment',
    ]);
    expect(service).toMatchObject({
      active: true,
      type: [{ coding: [{ system: codeSystem.disciplineEquipementSocial, code: '924' }] }],
      characteristic: [{ coding: [{ system: codeSystem.typeActivite, code: '11' }] }],
      eligibility: [{ code: { coding: [{ system: codeSystem.clientele, code: '711' }] } }],
    });
    const capacity = service.extension.find((x: Json) => x.url.endsWith('as-ext-supported-capacity'));
    expect(capacity.extension.map((x: Json) => x.url)).toEqual(['capacityAvailable', 'installedCapacity']);
    const finess = service.providedBy.reference.split('/')[1];
    const organizations = ehpad.body.entry.filter((e: Json) => e.search.mode === 'include');
    expect(organizations.map((e: Json) => e.resource.id)).toContain(finess);

    const read = await get(`/fhir/HealthcareService/${service.id}`);
    expect(read.body).toEqual(service);
    const byOrganization = await get(`/fhir/HealthcareService?organization=Organization/${finess}`);
    expect(byOrganization.body.entry.map((e: Json) => e.resource.id)).toContain(service.id);
    const withEquipment = await get(
      `/fhir/Organization?_id=${finess}&_revinclude=HealthcareService:organization`,
    );
    expect(
      withEquipment.body.entry
        .filter((e: Json) => e.search.mode === 'include')
        .map((e: Json) => e.resource.resourceType),
    ).toContain('HealthcareService');
    const combined = await get('/fhir/HealthcareService?characteristic=11&eligibility=711&_total=accurate');
    expect(combined.body.total).toBeGreaterThan(0);
    const other = await get(`/fhir/HealthcareService?service-type=${codeSystem.typeActivite}|924`);
    expect(other.body.total).toBe(0);
    // `_profile`, as the national API has it: social equipment is all this server serves.
    const [socialEquipment] = profile.healthcareService;
    const byProfile = await get(`/fhir/HealthcareService?_profile=${socialEquipment}&_total=accurate`);
    const all = await get('/fhir/HealthcareService?_total=accurate');
    expect(byProfile.body.total).toBe(all.body.total);
    const activities = await get(
      `/fhir/HealthcareService?_profile=${socialEquipment.replace('social-equipment', 'healthcare-activity')}`,
    );
    expect(activities.status).toBe(200);
    expect(activities.body.total).toBe(0);
  });

  it('counts a total up to a cap under _total=estimate, and beyond gives the planner’s estimate', async () => {
    const request = parseSearch('PractitionerRole', { _count: '5' });
    const accurate = (await search(s.t.database, { ...request, total: 'accurate' })).total as number;
    expect(accurate).toBeGreaterThan(10);
    expect((await search(s.t.database, request, { countUpTo: accurate })).total).toBe(accurate);
    const estimated = (await search(s.t.database, request, { countUpTo: 10 })).total as number;
    expect(estimated).toBeGreaterThan(10);
    expect(estimated).toBeGreaterThan(accurate / 3);
    expect(estimated).toBeLessThan(accurate * 3);
    // Searches in name order count along their indexes up to the cap.
    const byName = parseSearch('Practitioner', { name: 'a,e,j,m', _count: '5' });
    const named = (await search(s.t.database, { ...byName, total: 'accurate' })).total as number;
    expect(named).toBeGreaterThan(10);
    const counted = await sql<{ n: number }>`select count(*)::int as n from dir_professional
      where dir_norm(nom_exercice) ~ '^[aejm]' or dir_norm(prenom_exercice) ~ '^[aejm]'`.execute(
      s.t.database.db,
    );
    expect(named).toBe(counted.rows[0]?.n);
    expect((await search(s.t.database, byName, { countUpTo: named })).total).toBe(named);
    expect((await search(s.t.database, byName, { countUpTo: named - 1 })).total).toBeGreaterThan(named - 1);
  });

  it('filters on _lastUpdated and returns deactivated resources reduced to their identifiers', async () => {
    // Lookups by RPPS answered before the next generation, kept for it: they must not outlive it.
    const rpps = await sql<{ id_nat: string; pp_id: string }>`select id_nat, pp_id from dir_professional
      where id_type = '8' and active`.execute(s.t.database.db);
    const first = new Map<string, Json>();
    for (const r of rpps.rows) {
      first.set(r.id_nat, (await get(`/fhir/Practitioner?identifier=${r.pp_id}`)).body);
      expect((await get(`/fhir/Practitioner/${r.id_nat}`)).body.active).toBe(true);
    }
    // So are first pages of searches.
    expect((await get('/fhir/Practitioner?active=false&_total=accurate')).body.total).toBe(0);
    const before = new Date(Date.now() - 1000).toISOString();
    const out = mkdtempSync(join(tmpdir(), 'confiance-fhir-2-'));
    const days = await generateDirectory({
      profile: { persons: 400, structures: 30, departure: 0.02, arrival: 0.02, move: 0.02, closure: 0.03 },
      seed: 7,
      days: 2,
      out,
    });
    expect((await importDirectory(s.t.database, [days[1]?.dir ?? ''])).status).toBe('success');
    const changed = await get(`/fhir/Practitioner?_lastUpdated=ge${before}&_count=1000`);
    expect(changed.status).toBe(200);
    expect(changed.body.total).toBeGreaterThan(0);
    const gone = changed.body.entry.filter((e: Json) => e.resource.active === false);
    expect(gone.length).toBeGreaterThan(0);
    expect(Object.keys(gone[0].resource).sort()).toEqual([
      'active',
      'id',
      'identifier',
      'meta',
      'resourceType',
    ]);
    for (const e of changed.body.entry) expect(e.resource.meta.lastUpdated >= before).toBe(true);
    const goneByRpps = rpps.rows.filter((r) => gone.some((e: Json) => e.resource.id === r.id_nat));
    expect(goneByRpps.length).toBeGreaterThan(0);
    for (const r of goneByRpps) {
      const now = await get(`/fhir/Practitioner?identifier=${r.pp_id}`);
      expect(now.body.id).not.toBe(first.get(r.id_nat)?.id);
      expect(now.body.entry.map((e: Json) => e.resource.active)).toEqual([false]);
      expect((await get(`/fhir/Practitioner/${r.id_nat}`)).body).toEqual(now.body.entry[0].resource);
    }
    const none = await get('/fhir/Practitioner?_lastUpdated=gt2999-01-01');
    expect(none.body.total).toBe(0);
    const inactive = await get('/fhir/Practitioner?active=false&_total=accurate');
    expect(inactive.body.total).toBe(gone.length);
    // A situation d'exercice changed itself or through one of its mailboxes.
    const expected = await sql<{ id: string }>`select md5(t.key) as id from dir_activity t
      where t.changed_at >= ${new Date(before)} or exists (select 1 from dir_mailbox x where x.id_nat = t.id_nat
        and x.structure_id in (t.structure_id, t.finess_site) and x.changed_at >= ${new Date(before)})
      order by 1`.execute(s.t.database.db);
    const roles = await get(`/fhir/PractitionerRole?_lastUpdated=ge${before}&_count=1000`);
    expect(expected.rows.length).toBeGreaterThan(0);
    expect(roles.body.entry.map((e: Json) => e.resource.id).sort()).toEqual(expected.rows.map((r) => r.id));
  });

  it('reads every practitioner’s parts and change date as one correlated query per practitioner would', async () => {
    // The reference: each part and change date read for one practitioner at a time (migration 0014's query).
    const reference = await sql<Json>`
      select t.id_nat, t.active,
        greatest(t.changed_at,
          (select max(x.changed_at) from dir_activity x where x.id_nat = t.id_nat),
          (select max(x.changed_at) from dir_savoir_faire x where x.id_nat = t.id_nat),
          (select max(x.changed_at) from dir_diploma x where x.id_nat = t.id_nat),
          (select max(x.changed_at) from dir_mailbox x where x.id_nat = t.id_nat and x.structure_id is null)
        ) as last_updated,
        (select coalesce(jsonb_agg(x), '[]') from (
          select distinct a.id_nat, a.profession_code, a.profession, a.categorie_code, a.categorie
          from dir_activity a where a.active and a.id_nat = t.id_nat order by a.profession_code, a.categorie_code) x) as professions,
        (select coalesce(jsonb_agg(x), '[]') from (select s.id_nat, s.type_code, s.type, s.code, s.libelle
          from dir_savoir_faire s where s.active and s.id_nat = t.id_nat order by s.key) x) as savoir_faire,
        (select coalesce(jsonb_agg(x), '[]') from (select d.id_nat, d.type_diplome_code, d.type_diplome, d.diplome_code,
          d.diplome, d.type_autorisation_code, d.type_autorisation, d.discipline_code, d.discipline
          from dir_diploma d where d.active and d.id_nat = t.id_nat order by d.key) x) as diplomas,
        (select coalesce(jsonb_agg(x), '[]') from (select m.id_nat, m.structure_id, m.type, m.adresse, m.service,
          m.dematerialisation from dir_mailbox m where m.active and m.structure_id is null and m.id_nat = t.id_nat
          order by m.adresse) x) as mailboxes
      from dir_professional t order by t.id_nat`.execute(s.t.database.db);
    const read = await sql<Json>`
      select r.id_nat, r.active, r.last_updated, r.professions::jsonb as professions,
        r.savoir_faire::jsonb as savoir_faire, r.diplomas::jsonb as diplomas, r.mailboxes::jsonb as mailboxes
      from dir_practitioner_rows(array(select id_nat from dir_professional)) r`.execute(s.t.database.db);
    expect(read.rows.some((r) => !r.active)).toBe(true);
    expect(read.rows).toEqual(reference.rows);
  });

  it('answers _elements with a SUBSETTED tag and _count=0 with the total only', async () => {
    const res = await get(`/fhir/Practitioner?identifier=${someone.pp_id}&_elements=identifier`);
    const r = res.body.entry[0].resource;
    expect(Object.keys(r).sort()).toEqual(['id', 'identifier', 'meta', 'resourceType']);
    expect(r.meta.tag[0].code).toBe('SUBSETTED');
    const count = await get('/fhir/Organization?_count=0&_total=accurate');
    expect(count.body.entry).toEqual([]);
    expect(count.body.total).toBeGreaterThan(0);
  });

  it('refuses bad parameters with an OperationOutcome naming them, never a 500', async () => {
    const cases: Array<[string, string]> = [
      ['/fhir/Practitioner?nme=DUPONT', 'nme'],
      ['/fhir/Practitioner?name:sounds=X', 'name:sounds'],
      ['/fhir/Practitioner?_lastUpdated=lt2025-01-01', '_lastUpdated'],
      ['/fhir/Practitioner?_lastUpdated=ge2025-13-01', '_lastUpdated'],
      ['/fhir/Practitioner?_count=100000', '_count'],
      ['/fhir/Practitioner?_count=-1', '_count'],
      ['/fhir/Practitioner?active=maybe', 'active'],
      ['/fhir/Practitioner?_page=not-a-token', '_page'],
      ['/fhir/Practitioner?_include=PractitionerRole:organization', '_include'],
      ['/fhir/PractitionerRole?practitioner=Organization/1', 'practitioner'],
      ['/fhir/Practitioner?_elements=birthDate', '_elements'],
    ];
    for (const [url, parameter] of cases) {
      const res = await get(url);
      expect(res.status, url).toBe(400);
      expect(res.body.resourceType).toBe('OperationOutcome');
      expect(res.body.issue[0].expression, url).toEqual([parameter]);
    }
    const unknownType = await get('/fhir/Practitionner?name=a');
    expect(unknownType.status).toBe(404);
    expect(unknownType.body.issue[0].diagnostics).toContain('Practitionner');
    const missing = await get('/fhir/Practitioner/899999999999');
    expect(missing.status).toBe(404);
    const injection = await get(`/fhir/Practitioner?name=${encodeURIComponent("' or 1=1 --%_\\")}`);
    expect(injection.status).toBe(200);
    expect(injection.body.total).toBe(0);
  });

  it('never answers 500 to generated searches, whatever the parameters and values', async () => {
    const value = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.constantFrom(
        someone.pp_id,
        someone.id_nat,
        someone.nom_exercice,
        "' or 1=1 --",
        '.*+?^${}()|[]\\',
        '%_',
        'ge2026-01-01',
        'gt2026-11-02T10:00:00Z',
        'eq2026',
        `${identifierSystem.rpps}|${someone.pp_id}`,
        'Practitioner/810000000009',
        'true',
        '\u202e\u0301',
        '75',
      ),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...resourceTypes).chain((type) =>
          fc.tuple(
            fc.constant(type),
            fc.dictionary(
              fc.oneof(
                fc.constantFrom(
                  ...Object.keys(searchParameters[type]),
                  '_count',
                  '_total',
                  '_sort',
                  '_include',
                ),
                fc.constantFrom(...Object.keys(searchParameters[type])).map((n) => `${n}:contains`),
              ),
              value,
              { maxKeys: 4 },
            ),
          ),
        ),
        async ([type, query]) => {
          const res = await s.app.inject({ url: `/fhir/${type}?${new URLSearchParams(query)}` });
          expect(res.statusCode, JSON.stringify(query)).toBeLessThan(500);
          expect(res.json().resourceType).toMatch(/^(Bundle|OperationOutcome)$/);
        },
      ),
      { numRuns: 150 },
    );
  }, 120_000);

  it('accepts POST _search with a form body', async () => {
    const res = await s.app.inject({
      method: 'POST',
      url: '/fhir/Practitioner/_search',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `identifier=${someone.pp_id}`,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().total).toBe(1);
  });

  it('stores the practitioners of a generation once asked, and serves the same resources from them', async () => {
    const count = async (table: string) =>
      (await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(s.t.database.db))
        .rows[0]?.n;
    const professionals = await count('dir_professional');
    await get('/fhir/Practitioner?_count=1');
    for (
      let waited = 0;
      (await count('dir_practitioner_body')) !== professionals && waited < 30_000;
      waited += 100
    )
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await count('dir_practitioner_body')).toBe(professionals);
    const worked = (
      await practitionerRows(s.t.database, keyArray(sql`select id_nat from dir_professional`))
    ).map((r) => JSON.parse(JSON.stringify(r.resource)));
    const all = await get('/fhir/Practitioner?_count=1000&active=true,false');
    expect(all.body.entry.map((e: Json) => e.resource)).toEqual(worked);
    expect(all.body.entry[0].fullUrl).toBe(`https://confiance.test/fhir/Practitioner/${worked[0].id}`);
    expect((await get(`/fhir/Practitioner/${someone.id_nat}`)).body).toEqual(
      worked.find((p: Json) => p.id === someone.id_nat),
    );
    const named = await get(`/fhir/Practitioner?identifier=${someone.pp_id}&_elements=name`);
    expect(named.body.entry[0].resource.name).toBeDefined();
    expect(named.body.entry[0].resource.qualification).toBeUndefined();
  });
});
