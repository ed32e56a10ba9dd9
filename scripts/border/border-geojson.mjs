// border-geojson.mjs - derive limes' demo border data (China–Myanmar) from
// Natural Earth 1:50m, as packaged in world-atlas 2.0.2 (public domain data).
//
// Rerun (from the repository root):
//
//     cd scripts/border && npm ci && node border-geojson.mjs
//
// It writes, relative to the repository root:
//
//   data/border-cn-mm.geojson      the shared China (156) / Myanmar (104) arcs,
//                                  merged into as few LineStrings as possible,
//                                  north -> south, 5-decimal [lon, lat]
//   data/demo/05-segments.json     the line cut into named demo segments
//   data/demo/06-markers.json      evenly spaced demo boundary markers with a
//                                  seeded (deterministic) mix of conditions
//
// and prints the line's point count and haversine length. It also reads
// data/demo/03-crossing-points.json (hand-written) and reports, for each
// crossing point, which country's Natural Earth polygon it falls in and how
// far it is from the line — a sanity check only; nothing is written for it.
//
// Output is deterministic: same inputs, same bytes. The server never runs
// node; the generated files are committed.

import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as topojson from "topojson-client";

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const out = (p) => join(root, p);

const CN = "156"; // ISO 3166-1 numeric, as world-atlas ids its countries
const MM = "104";
const SOURCE = "Natural Earth 1:50m via world-atlas 2.0.2";
const DECIMALS = 5;
const MARKERS = 150;
const SEED = 20230108; // any fixed number; changing it reshuffles conditions

// ---- geometry helpers ------------------------------------------------------

const R_KM = 6371.0088; // IUGG mean Earth radius
const rad = (d) => (d * Math.PI) / 180;

function haversineKm([lon1, lat1], [lon2, lat2]) {
	const dLat = rad(lat2 - lat1);
	const dLon = rad(lon2 - lon1);
	const a =
		Math.sin(dLat / 2) ** 2 +
		Math.cos(rad(lat1)) * Math.cos(rad(lat2)) * Math.sin(dLon / 2) ** 2;
	return 2 * R_KM * Math.asin(Math.min(1, Math.sqrt(a)));
}

function lengthKm(coords) {
	let s = 0;
	for (let i = 1; i < coords.length; i++) s += haversineKm(coords[i - 1], coords[i]);
	return s;
}

const round = (x) => Number(x.toFixed(DECIMALS));

function roundLine(coords) {
	const outc = [];
	for (const [lon, lat] of coords) {
		const p = [round(lon), round(lat)];
		const q = outc[outc.length - 1];
		if (!q || q[0] !== p[0] || q[1] !== p[1]) outc.push(p);
	}
	return outc;
}

const samePoint = (a, b) => Math.abs(a[0] - b[0]) < 1e-9 && Math.abs(a[1] - b[1]) < 1e-9;

// Join pieces that share an end point until no two can be joined.
function mergeLines(lines) {
	const pieces = lines.map((l) => l.slice());
	let joined = true;
	while (joined) {
		joined = false;
		outer: for (let i = 0; i < pieces.length; i++) {
			for (let j = 0; j < pieces.length; j++) {
				if (i === j) continue;
				const a = pieces[i];
				const b = pieces[j];
				let merged = null;
				if (samePoint(a[a.length - 1], b[0])) merged = a.concat(b.slice(1));
				else if (samePoint(a[a.length - 1], b[b.length - 1]))
					merged = a.concat(b.slice(0, -1).reverse());
				else if (samePoint(a[0], b[b.length - 1])) merged = b.concat(a.slice(1));
				else if (samePoint(a[0], b[0])) merged = b.slice().reverse().concat(a.slice(1));
				if (merged) {
					pieces[i] = merged;
					pieces.splice(j, 1);
					joined = true;
					break outer;
				}
			}
		}
	}
	// Each line runs from its northern end; lines are ordered north -> south.
	for (const l of pieces) if (l[0][1] < l[l.length - 1][1]) l.reverse();
	pieces.sort((p, q) => Math.max(...q.map((c) => c[1])) - Math.max(...p.map((c) => c[1])));
	return pieces;
}

// Cumulative distance (km) at each vertex.
function cumulative(coords) {
	const cum = [0];
	for (let i = 1; i < coords.length; i++) cum.push(cum[i - 1] + haversineKm(coords[i - 1], coords[i]));
	return cum;
}

// Point at distance d (km) along the line, linear in lon/lat within a piece
// (pieces are a few km long, so the error is far below the 5-decimal grid's).
function pointAt(coords, cum, d) {
	let i = 1;
	while (i < coords.length - 1 && cum[i] < d) i++;
	const span = cum[i] - cum[i - 1];
	const t = span > 0 ? (d - cum[i - 1]) / span : 0;
	const [x0, y0] = coords[i - 1];
	const [x1, y1] = coords[i];
	return { lon: round(x0 + t * (x1 - x0)), lat: round(y0 + t * (y1 - y0)), vertex: i };
}

function nearestVertex(coords, [lon, lat]) {
	let best = 0;
	let bestD = Infinity;
	coords.forEach((c, i) => {
		const d = haversineKm(c, [lon, lat]);
		if (d < bestD) {
			bestD = d;
			best = i;
		}
	});
	return best;
}

// Shortest distance (km) from a point to the polyline, on a local flat frame.
function distanceToLineKm(coords, [lon, lat]) {
	const kx = 111.32 * Math.cos(rad(lat));
	const ky = 110.57;
	let best = Infinity;
	for (let i = 1; i < coords.length; i++) {
		const ax = (coords[i - 1][0] - lon) * kx;
		const ay = (coords[i - 1][1] - lat) * ky;
		const bx = (coords[i][0] - lon) * kx;
		const by = (coords[i][1] - lat) * ky;
		const dx = bx - ax;
		const dy = by - ay;
		const len2 = dx * dx + dy * dy;
		const t = len2 > 0 ? Math.max(0, Math.min(1, -(ax * dx + ay * dy) / len2)) : 0;
		best = Math.min(best, Math.hypot(ax + t * dx, ay + t * dy));
	}
	return best;
}

function inRing(ring, [x, y]) {
	let inside = false;
	for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
		const [xi, yi] = ring[i];
		const [xj, yj] = ring[j];
		if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
	}
	return inside;
}

function inGeometry(geom, p) {
	const polys = geom.type === "Polygon" ? [geom.coordinates] : geom.coordinates;
	return polys.some((rings) => inRing(rings[0], p) && !rings.slice(1).some((h) => inRing(h, p)));
}

// mulberry32: a tiny seeded PRNG, so the marker mix is the same on every run.
function mulberry32(seed) {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

// Pretty JSON, two-space indent, with any array or object that holds only
// numbers, strings, booleans or null (a [lon, lat] pair, a position, a list of
// country codes) kept on one line when it fits.
function toJson(value) {
	const flat = (v) =>
		v === null || typeof v !== "object" || Object.values(v).every((x) => x === null || typeof x !== "object");
	const fmt = (v, indent) => {
		if (v === null || typeof v !== "object") return JSON.stringify(v);
		const inner = indent + "  ";
		const isArr = Array.isArray(v);
		const items = isArr
			? v.map((x) => fmt(x, inner))
			: Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}: ${fmt(x, inner)}`);
		const [open, close] = isArr ? ["[", "]"] : ["{", "}"];
		if (items.length === 0) return open + close;
		if (flat(v)) {
			const one = isArr ? `[${items.join(", ")}]` : `{${items.join(", ")}}`;
			if (one.length <= 72) return one;
		}
		return `${open}\n${items.map((x) => inner + x).join(",\n")}\n${indent}${close}`;
	};
	return fmt(value, "") + "\n";
}

function write(path, value) {
	mkdirSync(dirname(out(path)), { recursive: true });
	writeFileSync(out(path), toJson(value));
	console.log(`wrote ${path}`);
}

// ---- 1. the line -----------------------------------------------------------

const topology = require("world-atlas/countries-50m.json");
const countries = topology.objects.countries;
const mesh = topojson.mesh(
	topology,
	countries,
	(a, b) => (a.id === CN && b.id === MM) || (a.id === MM && b.id === CN),
);
const raw = mesh.type === "LineString" ? [mesh.coordinates] : mesh.coordinates;
if (raw.length === 0) throw new Error("no shared arc between China and Myanmar");
const lines = mergeLines(raw).map(roundLine);

write("data/border-cn-mm.geojson", {
	type: "FeatureCollection",
	features: lines.map((coordinates) => ({
		type: "Feature",
		properties: {
			source: SOURCE,
			countries: ["CN", "MM"],
			note: "approximate; not an authoritative boundary",
		},
		geometry: { type: "LineString", coordinates },
	})),
});

const points = lines.reduce((n, l) => n + l.length, 0);
const totalKm = lines.reduce((s, l) => s + lengthKm(l), 0);
console.log(
	`line: ${lines.length} LineString(s), ${points} points, ${totalKm.toFixed(1)} km (haversine)`,
);

// Segments and markers are cut from one continuous line.
if (lines.length !== 1) throw new Error(`expected one merged line, got ${lines.length}`);
const line = lines[0];
const cum = cumulative(line);

// ---- 2. segments -----------------------------------------------------------
// Each segment ends at the line vertex nearest `end` (the last one runs to the
// line's end). The ends are rough administrative limits on the Chinese side,
// good enough for a demo, not survey results.

const SEGMENTS = [
	{ code: "CN-MM-01", name: "Tibet: Zayü (northern tripoint to the Dulong headwaters)", end: [98.0992, 28.143] },
	{ code: "CN-MM-02", name: "Nujiang north: Gongshan (Dulong valley) and Fugong", end: [98.7112, 26.4295] },
	{ code: "CN-MM-03", name: "Nujiang south: Lushui (Pianma)", end: [98.4016, 25.6779] },
	{ code: "CN-MM-04", name: "Baoshan: Tengchong (Houqiao, Diantan)", end: [97.714, 25.0338] },
	{ code: "CN-MM-05", name: "Dehong north: Yingjiang (Nabang)", end: [97.624, 24.4227] },
	{ code: "CN-MM-06", name: "Dehong south: Longchuan, Ruili and Wanding", end: [98.3656, 24.1189] },
	{ code: "CN-MM-07", name: "Baoshan and Lincang: Longling and Zhenkang (Nansan)", end: [98.8336, 23.6242] },
	{ code: "CN-MM-08", name: "Lincang: Gengma and Cangyuan (Qingshuihe)", end: [99.4672, 22.928] },
	{ code: "CN-MM-09", name: "Pu'er: Ximeng, Menglian and Lancang", end: [99.9496, 21.9888] },
	{ code: "CN-MM-10", name: "Xishuangbanna: Menghai, Jinghong and Mengla (Daluo)", end: null },
];

const segments = [];
let from = 0;
for (const s of SEGMENTS) {
	const to = s.end ? nearestVertex(line, s.end) : line.length - 1;
	if (to <= from) throw new Error(`segment ${s.code} is empty`);
	const coordinates = line.slice(from, to + 1);
	segments.push({
		code: s.code,
		name: s.name,
		countries: ["CN", "MM"],
		geometry: { type: "LineString", coordinates },
		note:
			`Demo segmentation of the Natural Earth 1:50m China–Myanmar line (${SOURCE}); ` +
			`${lengthKm(coordinates).toFixed(1)} km, vertices ${from}–${to} north to south. ` +
			"Segment ends are rough administrative limits, approximate; not an authoritative boundary.",
		_from: cum[from],
		_to: cum[to],
	});
	from = to;
}
write(
	"data/demo/05-segments.json",
	segments.map(({ _from, _to, ...s }) => s),
);
console.log(`segments: ${segments.length}`);

// ---- 3. markers ------------------------------------------------------------
// MARKERS pillars at the middles of equal stretches of the line, numbered
// north -> south. Conditions: mostly intact, some damaged / missing /
// displaced, drawn from a seeded PRNG.

const rand = mulberry32(SEED);
const step = totalKm / MARKERS;
const markers = [];
const tally = { intact: 0, damaged: 0, missing: 0, displaced: 0 };
for (let i = 0; i < MARKERS; i++) {
	const d = (i + 0.5) * step;
	const p = pointAt(line, cum, d);
	const seg = segments.find((s) => d >= s._from && d <= s._to) ?? segments[segments.length - 1];
	const r = rand();
	const condition = r < 0.78 ? "intact" : r < 0.89 ? "damaged" : r < 0.95 ? "missing" : "displaced";
	tally[condition]++;
	const pillar = `D-${String(i + 1).padStart(3, "0")}`;
	markers.push({
		pillar,
		segment: seg.code,
		position: { lon: p.lon, lat: p.lat },
		condition,
		note: `Demo marker, not a real pillar position (interpolated on the Natural Earth line, km ${d.toFixed(1)} from its northern end).`,
	});
}
write("data/demo/06-markers.json", markers);
console.log(
	`markers: ${markers.length} (${Object.entries(tally)
		.map(([k, v]) => `${v} ${k}`)
		.join(", ")})`,
);

// ---- 4. check the hand-written crossing points -----------------------------

const cnGeom = topojson.feature(topology, countries.geometries.find((g) => g.id === CN)).geometry;
const mmGeom = topojson.feature(topology, countries.geometries.find((g) => g.id === MM)).geometry;
let cps = [];
try {
	cps = JSON.parse(readFileSync(out("data/demo/03-crossing-points.json"), "utf8"));
} catch (e) {
	console.log(`crossing points not checked: ${e.message}`);
}
for (const cp of cps) {
	const p = [cp.position.lon, cp.position.lat];
	const side = inGeometry(cnGeom, p) ? "CN" : inGeometry(mmGeom, p) ? "MM" : "--";
	const flag = side === cp.country ? "" : `  <- Natural Earth puts it in ${side}`;
	console.log(
		`  ${cp.code} ${cp.name.padEnd(12)} ${cp.country} side=${side} ` +
			`${distanceToLineKm(line, p).toFixed(1).padStart(5)} km from line${flag}`,
	);
}
