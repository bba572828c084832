import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classify, classifyArchive, collectSources } from './sources.ts';

describe('published file names', () => {
  it.each([
    ['PS_LibreAcces_Personne_activite_202611020400.txt', 'personneActivite', '202611020400'],
    ['PS_LibreAcces_SavoirFaire_202611020400.txt', 'savoirFaire', '202611020400'],
    ['PS_LibreAcces_Dipl_AutExerc_202611020400.txt', 'diplome', '202611020400'],
    ['Extraction_Correspondance_MSSante_202608261013.txt', 'mssante', '202608261013'],
    ['etalab-cs1100507-stock-20260504-0400.csv', 'finessEtalab', '202605040400'],
    ['finess-structures-journalier-20260309.json.gz', 'finessPlus', '20260309'],
    ['ps-libreacces-personne-activite.txt', 'personneActivite', null],
  ])('%s', (name, kind, stamp) => {
    expect(classify(name)).toEqual({ kind, stamp });
  });

  it('tells bundles apart and ignores other names', () => {
    expect(classifyArchive('PS_LibreAcces_202611020400.zip')).toEqual({
      kind: 'bundle',
      stamp: '202611020400',
    });
    expect(classifyArchive('Extraction_Correspondance_MSSante_202611020400.zip')).toEqual({
      kind: 'mssanteBundle',
      stamp: '202611020400',
    });
    expect(classifyArchive('notes.zip')).toBeUndefined();
    expect(classify('notes.txt')).toBeUndefined();
  });
});

describe('collectSources', () => {
  it('names unknown files, missing paths and two files of one kind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'confiance-sources-'));
    writeFileSync(join(dir, 'lisez-moi.txt'), 'x');
    await expect(collectSources([dir])).rejects.toThrow(/non reconnu : lisez-moi\.txt/);
    await expect(collectSources([join(dir, 'absent')])).rejects.toThrow(/introuvable/);
    const two = mkdtempSync(join(tmpdir(), 'confiance-sources-'));
    writeFileSync(join(two, 'PS_LibreAcces_Personne_activite_202611020400.txt'), 'x');
    writeFileSync(join(two, 'PS_LibreAcces_Personne_activite_202611030400.txt'), 'x');
    await expect(collectSources([two])).rejects.toThrow(/deux fichiers du même type/);
  });
});
