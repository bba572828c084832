import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crsOf, fromWgs84, toWgs84 } from './geo.ts';

describe('FINESS coordinates', () => {
  it('reads the CRS from old and new source strings', () => {
    expect(crsOf('1,ATLASANTE,100,IGN,BD_ADRESSE,V2.2,LAMBERT_93')).toBe('EPSG:2154');
    expect(crsOf('1,ATLASANTE,96,BAN,EPSG:2154 RGF93 / Lambert-93 (Métropole)')).toBe('EPSG:2154');
    expect(crsOf('1,ATLASANTE,100,IGN,BD_ADRESSE,V2.2,UTM_S40')).toBe('EPSG:2975');
    expect(crsOf('1,X,EPSG:9999 inconnu')).toBeUndefined();
  });

  it('projects Lambert-93 reference points to WGS84', () => {
    // The projection's origin: 3°E, 46.5°N ↔ (700 000, 6 600 000).
    expect(toWgs84(700000, 6600000, 'EPSG:2154')).toEqual({ lat: 46.5, lon: 3 });
    // Paris, Notre-Dame, about (652 400, 6 861 900).
    const paris = toWgs84(652400, 6861900, 'EPSG:2154');
    expect(paris?.lat).toBeCloseTo(48.853, 2);
    expect(paris?.lon).toBeCloseTo(2.349, 2);
  });

  it('projects overseas UTM points', () => {
    // Saint-Denis de La Réunion, about 20.88°S 55.45°E.
    const point = fromWgs84({ lat: -20.88, lon: 55.45 }, 'EPSG:2975');
    expect(toWgs84(point.x, point.y, 'EPSG:2975')).toEqual({ lat: -20.88, lon: 55.45 });
  });

  it('round-trips metropolitan points within a metre', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 41.4, max: 51.1, noNaN: true }),
        fc.double({ min: -5.1, max: 9.5, noNaN: true }),
        (lat, lon) => {
          const { x, y } = fromWgs84({ lat, lon }, 'EPSG:2154');
          const back = toWgs84(x, y, 'EPSG:2154');
          expect(Math.abs((back?.lat ?? 0) - lat)).toBeLessThan(1e-5);
          expect(Math.abs((back?.lon ?? 0) - lon)).toBeLessThan(1e-5);
        },
      ),
    );
  });

  it('refuses unknown systems and non-numbers', () => {
    expect(toWgs84(1, 2, 'EPSG:1')).toBeUndefined();
    expect(toWgs84(Number.NaN, 2, 'EPSG:2154')).toBeUndefined();
  });
});
