import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { situationsOf } from './situations.ts';

describe('situations d’exercice of a PSC userinfo', () => {
  it('lists one situation per activity, empty strings read as absent', () => {
    expect(
      situationsOf({
        SubjectRefPro: {
          codeCivilite: 'M',
          exercices: [
            {
              codeProfession: '60',
              nomDexercice: 'DUPONT',
              prenomDexercice: 'Anne',
              activities: [
                {
                  numeroFinessSite: '690000012',
                  numeroFinessetablissementJuridique: '690000011',
                  raisonSocialeSite: 'EHPAD',
                  codeRole: 'FON-05',
                  codeModeExercice: 'S',
                },
                {
                  numeroFinessSite: '',
                  numeroSiretSite: '30000001200012',
                  enseigneCommercialeSite: 'CABINET',
                },
              ],
            },
            { codeProfession: '10', nomDexercice: 'DUPONT', prenomDexercice: 'Anne' },
          ],
        },
      }),
    ).toEqual([
      {
        key: '0.0',
        professionCode: '60',
        nomExercice: 'DUPONT',
        prenomExercice: 'Anne',
        finessSite: '690000012',
        finessEj: '690000011',
        siret: null,
        raisonSociale: 'EHPAD',
        roleCode: 'FON-05',
        modeCode: 'S',
      },
      {
        key: '0.1',
        professionCode: '60',
        nomExercice: 'DUPONT',
        prenomExercice: 'Anne',
        finessSite: null,
        finessEj: null,
        siret: '30000001200012',
        raisonSociale: 'CABINET',
        roleCode: null,
        modeCode: null,
      },
      {
        key: '1',
        professionCode: '10',
        nomExercice: 'DUPONT',
        prenomExercice: 'Anne',
        finessSite: null,
        finessEj: null,
        siret: null,
        raisonSociale: null,
        roleCode: null,
        modeCode: null,
      },
    ]);
  });

  it('never throws on a userinfo of any shape', () => {
    expect(situationsOf({})).toEqual([]);
    fc.assert(fc.property(fc.jsonValue(), (v) => void situationsOf({ SubjectRefPro: v })));
    fc.assert(fc.property(fc.object(), (v) => void situationsOf(v)));
  });
});
