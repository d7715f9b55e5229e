/*
 * Geohash arithmetic with Redis 7.0's semantics (geohash.c, geohash_helper.c), so scores, decoded
 * coordinates, distances and the set of cells a search visits match real Redis exactly.
 *
 * A GEO score is a 52-bit integer: 26 latitude bits (even positions) interleaved with 26
 * longitude bits (odd positions), over longitude [-180, 180] and latitude ±85.05112878 (the
 * Web Mercator limits). Decoding returns the centre of the 26-step cell. Scores fit a double
 * exactly (< 2^53), so interleaving uses plain arithmetic; neighbour moves use BigInt.
 */

export const GEO_LAT_MIN = -85.05112878;
export const GEO_LAT_MAX = 85.05112878;
export const GEO_LONG_MIN = -180;
export const GEO_LONG_MAX = 180;
export const GEO_STEP_MAX = 26;
/** Redis's EARTH_RADIUS_IN_METERS. */
export const EARTH_RADIUS = 6372797.560856;
const MERCATOR_MAX = 20037726.37;
const D_R = Math.PI / 180.0;

export interface Range {
  min: number;
  max: number;
}

/** A cell: bits at a step (bits < 4^step). step 0 with bits 0 is the "zero" (skipped) cell. */
export interface HashBits {
  bits: number;
  step: number;
}

export interface Area {
  lon: Range;
  lat: Range;
}

const WGS84_LON: Range = { min: GEO_LONG_MIN, max: GEO_LONG_MAX };
const WGS84_LAT: Range = { min: GEO_LAT_MIN, max: GEO_LAT_MAX };
const POW2: number[] = [];
for (let i = 0; i <= 64; i++) POW2.push(2 ** i);

export function degRad(d: number): number {
  return d * D_R;
}

function radDeg(r: number): number {
  return r / D_R;
}

/** Interleaves two 32-bit offsets: lat bits at even positions, lon bits at odd ones. */
function interleave(lat: number, lon: number): number {
  let out = 0;
  for (let i = 0; i < 32 && (lat > 0 || lon > 0); i++) {
    if (lat % 2 === 1) out += POW2[2 * i]!;
    if (lon % 2 === 1) out += POW2[2 * i + 1]!;
    lat = Math.floor(lat / 2);
    lon = Math.floor(lon / 2);
  }
  return out;
}

/** Splits bits into [lat offset, lon offset]. */
function deinterleave(bits: number): [number, number] {
  let lat = 0;
  let lon = 0;
  let v = bits;
  for (let i = 0; i < 32 && v > 0; i++) {
    if (v % 2 === 1) lat += POW2[i]!;
    v = Math.floor(v / 2);
    if (v % 2 === 1) lon += POW2[i]!;
    v = Math.floor(v / 2);
  }
  return [lat, lon];
}

/** geohashEncode: null when outside the WGS84 limits or the given ranges. */
export function encode(lonRange: Range, latRange: Range, lon: number, lat: number, step: number): HashBits | null {
  if (lon > GEO_LONG_MAX || lon < GEO_LONG_MIN || lat > GEO_LAT_MAX || lat < GEO_LAT_MIN) return null;
  if (lat < latRange.min || lat > latRange.max || lon < lonRange.min || lon > lonRange.max) return null;
  let latOffset = (lat - latRange.min) / (latRange.max - latRange.min);
  let lonOffset = (lon - lonRange.min) / (lonRange.max - lonRange.min);
  latOffset *= POW2[step]!;
  lonOffset *= POW2[step]!;
  // C truncates the doubles to uint32.
  return { bits: interleave(Math.trunc(latOffset), Math.trunc(lonOffset)), step };
}

export function encodeWGS84(lon: number, lat: number, step: number): HashBits | null {
  return encode(WGS84_LON, WGS84_LAT, lon, lat, step);
}

/** The 52-bit score of a point (the caller checked the limits). */
export function scoreOf(lon: number, lat: number): number {
  const h = encodeWGS84(lon, lat, GEO_STEP_MAX);
  return h === null ? 0 : h.bits * POW2[52 - h.step * 2]!;
}

export function decode(lonRange: Range, latRange: Range, h: HashBits): Area {
  const [ilat, ilon] = deinterleave(h.bits);
  const latScale = latRange.max - latRange.min;
  const lonScale = lonRange.max - lonRange.min;
  const div = POW2[h.step]!;
  return {
    lat: { min: latRange.min + (ilat * 1.0 / div) * latScale, max: latRange.min + ((ilat + 1) * 1.0 / div) * latScale },
    lon: { min: lonRange.min + (ilon * 1.0 / div) * lonScale, max: lonRange.min + ((ilon + 1) * 1.0 / div) * lonScale },
  };
}

function decodeWGS84(h: HashBits): Area {
  return decode(WGS84_LON, WGS84_LAT, h);
}

/** The centre of a cell, clamped to the limits: [lon, lat]. */
function areaCenter(a: Area): [number, number] {
  let lon = (a.lon.min + a.lon.max) / 2;
  if (lon > GEO_LONG_MAX) lon = GEO_LONG_MAX;
  if (lon < GEO_LONG_MIN) lon = GEO_LONG_MIN;
  let lat = (a.lat.min + a.lat.max) / 2;
  if (lat > GEO_LAT_MAX) lat = GEO_LAT_MAX;
  if (lat < GEO_LAT_MIN) lat = GEO_LAT_MIN;
  return [lon, lat];
}

/**
 * decodeGeohash: a stored score to [lon, lat]. Redis casts the double to uint64, so a point on
 * the far edge (lon 180 or lat 85.05112878, offset 2^26) keeps its carry bit and decodes to the
 * clamped edge. Scores that are no GEO points (negative, >= 2^64) decode as 0 here.
 */
export function decodeScore(score: number): [number, number] {
  let bits = Math.trunc(score);
  if (!(bits >= 0) || bits >= POW2[64]!) bits = 0;
  return areaCenter(decodeWGS84({ bits, step: GEO_STEP_MAX }));
}

/** The 11-character standard geohash of a stored score (GEOHASH). */
export function geohashString(score: number): string {
  const alphabet = '0123456789bcdefghjkmnpqrstuvwxyz';
  const [lon, lat] = decodeScore(score);
  const h = encode({ min: -180, max: 180 }, { min: -90, max: 90 }, lon, lat, GEO_STEP_MAX);
  const bits = BigInt(h === null ? 0 : h.bits);
  let out = '';
  for (let i = 0; i < 11; i++) {
    const idx = i === 10 ? 0 : Number((bits >> BigInt(52 - (i + 1) * 5)) & 0x1fn);
    out += alphabet[idx]!;
  }
  return out;
}

export function latDistance(lat1: number, lat2: number): number {
  return EARTH_RADIUS * Math.abs(degRad(lat2) - degRad(lat1));
}

/** Haversine distance in meters (geohashGetDistance). */
export function distance(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const lon1r = degRad(lon1);
  const lon2r = degRad(lon2);
  const v = Math.sin((lon2r - lon1r) / 2);
  if (v === 0.0) return latDistance(lat1, lat2);
  const lat1r = degRad(lat1);
  const lat2r = degRad(lat2);
  const u = Math.sin((lat2r - lat1r) / 2);
  const a = u * u + Math.cos(lat1r) * Math.cos(lat2r) * v * v;
  return 2.0 * EARTH_RADIUS * Math.asin(Math.sqrt(a));
}

/** A search shape; sizes in the user's unit, `conversion` meters per unit. */
export interface Shape {
  lon: number;
  lat: number;
  conversion: number;
  /** Circle radius, or -1 for a box. */
  radius: number;
  width: number;
  height: number;
}

/** The distance (meters) from the shape's centre when the point is inside, else -1. */
export function distanceIfInShape(s: Shape, lon: number, lat: number): number {
  if (s.radius >= 0) {
    const d = distance(s.lon, s.lat, lon, lat);
    return d > s.radius * s.conversion ? -1 : d;
  }
  const h = s.height * s.conversion;
  const w = s.width * s.conversion;
  if (latDistance(lat, s.lat) > h / 2) return -1;
  if (distance(lon, lat, s.lon, lat) > w / 2) return -1;
  return distance(s.lon, s.lat, lon, lat);
}

function estimateSteps(rangeMeters: number, lat: number): number {
  if (rangeMeters === 0) return 26;
  let step = 1;
  while (rangeMeters < MERCATOR_MAX) {
    rangeMeters *= 2;
    step++;
  }
  step -= 2;
  if (lat > 66 || lat < -66) {
    step--;
    if (lat > 80 || lat < -80) step--;
  }
  if (step < 1) step = 1;
  if (step > 26) step = 26;
  return step;
}

const EVEN = 0x5555555555555555n;
const ODD = 0xaaaaaaaaaaaaaaaan;

/** Moves a cell by d in longitude (x, odd bits) or latitude (y, even bits), wrapping. */
function move(h: HashBits, d: number, alongX: boolean): HashBits {
  if (d === 0) return h;
  const bits = BigInt(h.bits);
  const shift = BigInt(64 - h.step * 2);
  const movedMask = alongX ? ODD : EVEN;
  const keptMask = alongX ? EVEN : ODD;
  let m = bits & movedMask;
  const k = bits & keptMask;
  const zz = keptMask >> shift;
  if (d > 0) m = m + (zz + 1n);
  else {
    m = m | zz;
    m = m - (zz + 1n);
  }
  m &= (movedMask >> shift);
  m &= 0xffffffffffffffffn;
  return { bits: Number(m | k), step: h.step };
}

function moved(h: HashBits, dx: number, dy: number): HashBits {
  return move(move(h, dx, true), dy, false);
}

const ZERO: HashBits = { bits: 0, step: 0 };

/**
 * geohashCalculateAreasByShapeWGS84 + the neighbour order of membersOfAllNeighbors: the centre
 * cell, then N S E W NE NW SE SW, with useless neighbours replaced by the zero cell.
 */
export function searchCells(s: Shape): HashBits[] {
  const hM = s.conversion * (s.radius >= 0 ? s.radius : s.height / 2);
  const wM = s.conversion * (s.radius >= 0 ? s.radius : s.width / 2);
  const latDelta = radDeg(hM / EARTH_RADIUS);
  const lonDeltaTop = radDeg(wM / EARTH_RADIUS / Math.cos(degRad(s.lat + latDelta)));
  const lonDeltaBottom = radDeg(wM / EARTH_RADIUS / Math.cos(degRad(s.lat - latDelta)));
  const south = s.lat < 0;
  const minLon = south ? s.lon - lonDeltaBottom : s.lon - lonDeltaTop;
  const maxLon = south ? s.lon + lonDeltaBottom : s.lon + lonDeltaTop;
  const minLat = s.lat - latDelta;
  const maxLat = s.lat + latDelta;
  let radiusM = s.radius >= 0 ? s.radius : Math.sqrt((s.width / 2) * (s.width / 2) + (s.height / 2) * (s.height / 2));
  radiusM *= s.conversion;
  let steps = estimateSteps(radiusM, s.lat);
  let hash = encodeWGS84(s.lon, s.lat, steps) ?? { bits: 0, step: steps };
  let nb = neighbours(hash);
  let area = decodeWGS84(hash);
  const decrease = decodeWGS84(nb[0]!).lat.max < maxLat || decodeWGS84(nb[1]!).lat.min > minLat ||
    decodeWGS84(nb[2]!).lon.max < maxLon || decodeWGS84(nb[3]!).lon.min > minLon;
  if (steps > 1 && decrease) {
    steps--;
    hash = encodeWGS84(s.lon, s.lat, steps) ?? { bits: 0, step: steps };
    nb = neighbours(hash);
    area = decodeWGS84(hash);
  }
  // nb: 0 N, 1 S, 2 E, 3 W, 4 NE, 5 NW, 6 SE, 7 SW
  if (steps >= 2) {
    if (area.lat.min < minLat) nb[1] = nb[7] = nb[6] = ZERO;
    if (area.lat.max > maxLat) nb[0] = nb[4] = nb[5] = ZERO;
    if (area.lon.min < minLon) nb[3] = nb[7] = nb[5] = ZERO;
    if (area.lon.max > maxLon) nb[2] = nb[6] = nb[4] = ZERO;
  }
  return [hash, ...nb];
}

function neighbours(h: HashBits): HashBits[] {
  return [moved(h, 0, 1), moved(h, 0, -1), moved(h, 1, 0), moved(h, -1, 0), moved(h, 1, 1), moved(h, -1, 1), moved(h, 1, -1), moved(h, -1, -1)];
}

/** The score range [min, max) a cell covers. */
export function cellRange(h: HashBits): [number, number] {
  const f = POW2[52 - h.step * 2]!;
  return [h.bits * f, (h.bits + 1) * f];
}

/** %.17Lf with trailing zeros (and a bare '.') removed: addReplyHumanLongDouble under RESP2. */
export function formatHuman(d: number): string {
  let t = d.toFixed(17);
  if (t.includes('.')) t = t.replace(/0+$/, '').replace(/\.$/, '');
  return t === '-0' ? '-0' : t;
}

/** %.4f as GEODIST and WITHDIST print distances. */
export function formatDistance(d: number): string {
  return d.toFixed(4);
}
