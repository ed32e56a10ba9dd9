// check-demo.mjs - static checks of data/demo/*.json against the limits the
// HTTP API enforces, and of the references between the files. It catches
// typos before `limes serve` does; the server's own validation stays the
// authority.
//
//     cd scripts/border && node check-demo.mjs      (no npm packages needed)
//
// Exit status 0 when every file passes, 1 otherwise (each problem printed).

import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const dir = join(root, "data", "demo");
const problems = [];
const bad = (where, msg) => problems.push(`${where}: ${msg}`);
const bytes = (s) => Buffer.byteLength(s, "utf8");

const CODE_MAX = 32;
const NAME_MAX = 160;
const TEXT_MAX = 1024;
const GOODS_MAX = 64;
const POINT_CODE = /^[A-Z]{2}[A-Z2-9]{3}$/;
const USERNAME = /^[a-z0-9._-]{1,64}$/;
const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const SPAN = /^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/;
const ISO_Z = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;
const TZ = { CN: "Asia/Shanghai", MM: "Asia/Yangon" };

const files = readdirSync(dir).filter((f) => f.endsWith(".json")).sort();
const data = {};
for (const f of files) {
	try {
		data[f] = JSON.parse(readFileSync(join(dir, f), "utf8"));
		if (!Array.isArray(data[f])) bad(f, "not a JSON array");
	} catch (e) {
		bad(f, `does not parse: ${e.message}`);
	}
}
const get = (prefix) => data[files.find((f) => f.startsWith(prefix))] ?? [];

function text(where, v, max, required = true) {
	if (v === undefined || v === null) {
		if (required) bad(where, "missing");
		return;
	}
	if (typeof v !== "string") return bad(where, "not a string");
	if (required && v.length === 0) bad(where, "empty");
	if (bytes(v) > max) bad(where, `${bytes(v)} bytes > ${max}`);
}

function unique(list, key, file) {
	const seen = new Set();
	for (const x of list) {
		if (seen.has(x[key])) bad(file, `duplicate ${key} ${x[key]}`);
		seen.add(x[key]);
	}
	return seen;
}

function position(where, p) {
	if (!p || typeof p.lon !== "number" || typeof p.lat !== "number") return bad(where, "needs numeric lon and lat");
	// The whole China–Myanmar border lies within this box; lon/lat swapped would not.
	if (p.lon < 97 || p.lon > 101.5 || p.lat < 21 || p.lat > 29) bad(where, `(${p.lon}, ${p.lat}) is off the border`);
}

// 01 agencies
const agencies = get("01-");
const agencyCodes = unique(agencies, "code", "01-agencies");
const KINDS = ["immigration", "customs", "police", "army", "local_government", "health", "humanitarian", "civil", "other"];
for (const a of agencies) {
	const w = `agency ${a.code}`;
	text(`${w} code`, a.code, CODE_MAX);
	text(`${w} name`, a.name, NAME_MAX);
	if (!KINDS.includes(a.kind)) bad(w, `kind ${a.kind}`);
	if (!/^[A-Z]{2}$/.test(a.country ?? "")) bad(w, `country ${a.country}`);
}
for (const k of ["immigration", "customs", "police", "army", "local_government", "health", "humanitarian", "other"])
	if (!agencies.some((a) => a.kind === k)) bad("01-agencies", `no agency of kind ${k}`);

// 03 crossing points (before users and status, which refer to them)
const points = get("03-");
const pointCodes = unique(points, "code", "03-crossing-points");
for (const p of points) {
	const w = `point ${p.code}`;
	if (!POINT_CODE.test(p.code ?? "")) bad(w, "code is not 2 letters + 3 of A-Z, 2-9");
	text(`${w} name`, p.name, NAME_MAX);
	text(`${w} name_other`, p.name_other, NAME_MAX, false);
	text(`${w} note`, p.note, TEXT_MAX, false);
	if (p.code?.slice(0, 2) !== p.country) bad(w, "code does not start with its country");
	if (TZ[p.country] !== p.time_zone) bad(w, `time zone ${p.time_zone} for ${p.country}`);
	if (!["international", "bilateral", "local"].includes(p.kind)) bad(w, `kind ${p.kind}`);
	if (!Array.isArray(p.modes) || p.modes.length === 0 || p.modes.some((m) => !["pedestrian", "vehicle", "cargo"].includes(m)))
		bad(w, `modes ${JSON.stringify(p.modes)}`);
	if (!Number.isInteger(p.lanes) || p.lanes < 0) bad(w, "lanes");
	position(w, p.position);
	if (p.opening_hours !== null) {
		if (typeof p.opening_hours !== "object") bad(w, "opening_hours");
		else
			for (const [day, spans] of Object.entries(p.opening_hours)) {
				if (!DAYS.includes(day)) bad(w, `day ${day}`);
				if (!Array.isArray(spans) || spans.length > 4) bad(w, `${day}: 1-4 spans`);
				else for (const s of spans) if (!SPAN.test(s) || s.slice(0, 5) === s.slice(6)) bad(w, `${day}: span ${s}`);
			}
	}
	for (const k of ["trucks_per_day", "persons_per_day"])
		if (p.capacity && !(Number.isInteger(p.capacity[k]) && p.capacity[k] >= 0)) bad(w, `capacity ${k}`);
}

// 02 users
const users = get("02-");
unique(users, "username", "02-users");
const ROLES = ["officer", "supervisor", "analyst", "admin", "auditor", "humanitarian"];
for (const u of users) {
	const w = `user ${u.username}`;
	if (!USERNAME.test(u.username ?? "")) bad(w, "username");
	if (u.username === "admin" || u.role === "admin") bad(w, "the program creates admin itself");
	text(`${w} display_name`, u.display_name, NAME_MAX);
	if (!agencyCodes.has(u.agency)) bad(w, `unknown agency ${u.agency}`);
	if (!ROLES.includes(u.role)) bad(w, `role ${u.role}`);
	for (const c of u.crossing_points ?? []) if (!pointCodes.has(c)) bad(w, `unknown crossing point ${c}`);
	if (["officer", "supervisor"].includes(u.role) && !(u.crossing_points ?? []).length) bad(w, "no crossing point");
	if ("password" in u) bad(w, "passwords do not belong in the demo file");
}
for (const r of ROLES.filter((r) => r !== "admin"))
	if (!users.some((u) => u.role === r)) bad("02-users", `no user with role ${r}`);

// 04 status
for (const [i, s] of get("04-").entries()) {
	const w = `status #${i} ${s.crossing_point}`;
	if (!pointCodes.has(s.crossing_point)) bad(w, "unknown crossing point");
	if (!["open", "restricted", "closed"].includes(s.state)) bad(w, `state ${s.state}`);
	const sc = s.scope ?? {};
	for (const d of sc.directions ?? []) if (!["entry", "exit"].includes(d)) bad(w, `direction ${d}`);
	for (const m of sc.modes ?? []) if (!["pedestrian", "vehicle", "cargo"].includes(m)) bad(w, `mode ${m}`);
	if (sc.goods !== undefined) text(`${w} goods`, sc.goods, GOODS_MAX);
	text(`${w} reason`, s.reason, TEXT_MAX);
	if (!ISO_Z.test(s.from ?? "")) bad(w, `from ${s.from}`);
	if (s.until !== null && !ISO_Z.test(s.until ?? "")) bad(w, `until ${s.until}`);
	if (s.until && Date.parse(s.until) <= Date.parse(s.from)) bad(w, "until is not after from");
}

// 05 segments
const segments = get("05-");
const segCodes = unique(segments, "code", "05-segments");
segments.forEach((s, i) => {
	const w = `segment ${s.code}`;
	text(`${w} code`, s.code, CODE_MAX);
	text(`${w} name`, s.name, NAME_MAX);
	text(`${w} note`, s.note, TEXT_MAX, false);
	const c = s.geometry?.coordinates;
	if (s.geometry?.type !== "LineString" || !Array.isArray(c) || c.length < 2) return bad(w, "geometry");
	c.forEach(([lon, lat]) => position(w, { lon, lat }));
	const next = segments[i + 1]?.geometry?.coordinates;
	if (next && (next[0][0] !== c.at(-1)[0] || next[0][1] !== c.at(-1)[1])) bad(w, "does not join the next segment");
});

// 06 markers
const markers = get("06-");
unique(markers, "pillar", "06-markers");
for (const m of markers) {
	const w = `marker ${m.pillar}`;
	text(`${w} pillar`, m.pillar, CODE_MAX);
	text(`${w} note`, m.note, TEXT_MAX, false);
	if (!segCodes.has(m.segment)) bad(w, `unknown segment ${m.segment}`);
	if (!["intact", "damaged", "missing", "displaced"].includes(m.condition)) bad(w, `condition ${m.condition}`);
	position(w, m.position);
}

for (const p of problems) console.log(p);
const n = (x) => get(x).length;
console.log(
	`${files.length} files: ${n("01-")} agencies, ${n("02-")} users, ${n("03-")} crossing points, ` +
		`${n("04-")} status changes, ${n("05-")} segments, ${n("06-")} markers; ${problems.length} problem(s)`,
);
process.exit(problems.length ? 1 : 0);
