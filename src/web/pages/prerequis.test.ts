import { describe, expect, it } from 'vitest';
import { sensitivity } from '../../auth/policy/sensitive.ts';
import type { Dashboard } from '../../readiness/dashboard.ts';
import { egReadiness } from '../../readiness/engine.ts';
import { egFacts, staffCoverage } from '../../readiness/facts.ts';
import { defaultDui, defaultEditor, type Organisation } from '../../readiness/organisations.ts';
import { dashboardPage, organisationSettingsPage, printablePage, staffPage } from './prerequis.ts';

const organisation: Organisation = {
  finessEj: '690000011',
  raisonSociale: 'Association <script>alert(1)</script>',
  siret: null,
  legalRepActsAlone: false,
  rppsPlusMode: 'centralise',
  editor: defaultEditor,
  dui: defaultDui,
  alertEmails: [],
  establishments: [
    {
      finess: '690000012',
      record: null,
      identityCharter: false,
      autoHomologation: false,
      documentsIdentified: false,
      usagersInformed: false,
      consentCollected: false,
      mssOperator: null,
      mssPartnersIdentified: false,
    },
  ],
};
const coverage = staffCoverage([], '2026-11-24');
const now = new Date('2026-11-24T10:00:00Z');
const eg = organisation.establishments[0] as Organisation['establishments'][number];
const dashboard: Dashboard = {
  organisation,
  contracts: [],
  roles: [],
  certificates: [],
  establishments: [
    {
      establishment: eg,
      readiness: egReadiness(
        egFacts({
          org: organisation,
          eg,
          contracts: [],
          roles: [],
          coverage,
          certificates: [],
          qualifiedShare: 0,
          now,
        }),
      ),
      coverage,
      qualified: { qualified: 0, total: 0 },
    },
  ],
  nextActions: [],
  coverage,
  dui: sensitivity(defaultDui),
  staff: [],
  generatedAt: now,
};

describe('prerequisites pages', () => {
  it('escapes what comes from users and the directory, and shows statuses with who and which form', () => {
    const page = dashboardPage(dashboard);
    expect(page).not.toContain('<script>alert(1)</script>');
    expect(page).toContain('Association &lt;script&gt;');
    expect(page).toContain('Bloqué');
    expect(page).toContain('Formulaire F101 (contrat d’adhésion)');
    expect(page).toContain('Délégation départementale de l’ARS');
  });

  it('shows forms only to sessions that may write', () => {
    expect(organisationSettingsPage({ organisation, csrf: null })).not.toContain('name="csrf"');
    expect(organisationSettingsPage({ organisation, csrf: 'jeton' })).toContain('name="csrf" value="jeton"');
    expect(staffPage({ dashboard, csrf: null, toRegister: 0 })).not.toContain(
      'enctype="multipart/form-data"',
    );
    expect(printablePage(dashboard)).toContain('Aucun contrat ni profil enregistré.');
  });
});
