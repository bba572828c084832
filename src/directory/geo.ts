import proj4 from 'proj4';

/**
 * Projected systems of the FINESS geolocation (shared/research/annuaire.md §3.1): Lambert-93 in metropolitan
 * France, UTM zones overseas. All rest on GRS80/WGS84-compatible datums, hence `towgs84=0`.
 */
const systems: Record<string, string> = {
  'EPSG:2154':
    '+proj=lcc +lat_0=46.5 +lon_0=3 +lat_1=49 +lat_2=44 +x_0=700000 +y_0=6600000 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs',
  'EPSG:5490': '+proj=utm +zone=20 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs',
  'EPSG:2972': '+proj=utm +zone=22 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs',
  'EPSG:2975': '+proj=utm +zone=40 +south +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs',
  'EPSG:4471': '+proj=utm +zone=38 +south +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs',
  'EPSG:4467': '+proj=utm +zone=21 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs',
};

/** Names used by older files for the same systems. */
const aliases: Record<string, string> = {
  LAMBERT_93: 'EPSG:2154',
  UTM_N20: 'EPSG:5490',
  UTM_N22: 'EPSG:2972',
  UTM_S40: 'EPSG:2975',
  UTM_S38: 'EPSG:4471',
  UTM_N21: 'EPSG:4467',
};

const converters = new Map(Object.entries(systems).map(([code, def]) => [code, proj4(def, 'WGS84')]));

/** The CRS named by the last element of `sourcecoordet` (`…,LAMBERT_93` or `…,EPSG:2154 RGF93 / Lambert-93 …`). */
export function crsOf(source: string): string | undefined {
  const last = source.split(',').at(-1)?.trim() ?? '';
  const epsg = /EPSG:(\d+)/.exec(last)?.[0];
  if (epsg) return systems[epsg] ? epsg : undefined;
  return aliases[last.toUpperCase()];
}

export interface LatLon {
  lat: number;
  lon: number;
}

/** WGS84 latitude/longitude (6 decimals, about 10 cm) of a projected point, or undefined for an unknown CRS. */
export function toWgs84(x: number, y: number, crs: string): LatLon | undefined {
  const converter = converters.get(crs);
  if (!converter || !Number.isFinite(x) || !Number.isFinite(y)) return undefined;
  const [lon, lat] = converter.forward([x, y]) as [number, number];
  return { lat: Math.round(lat * 1e6) / 1e6, lon: Math.round(lon * 1e6) / 1e6 };
}

/** Inverse, for the generator: WGS84 to the projected CRS. */
export function fromWgs84(point: LatLon, crs: string): { x: number; y: number } {
  const converter = converters.get(crs);
  if (!converter) throw new Error(`CRS inconnu : ${crs}`);
  const [x, y] = converter.inverse([point.lon, point.lat]) as [number, number];
  return { x: Math.round(x * 10) / 10, y: Math.round(y * 10) / 10 };
}
