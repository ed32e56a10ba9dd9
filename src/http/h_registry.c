/*
 * h_registry.c - crossing points, border segments, boundary markers and
 * inspections over HTTP, as JSON or GeoJSON (RFC 7946: [lon, lat]).
 */
#include "http/http_int.h"
#include "core/geo.h"
#include "core/hours.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ALL_MODES (LM_MODE_PEDESTRIAN | LM_MODE_VEHICLE | LM_MODE_CARGO)

static json_t *feature(json_t *geometry, json_t *properties)
{
	return json_pack("{s:s, s:o, s:o}", "type", "Feature", "geometry", geometry, "properties",
	                 properties);
}

static json_t *point_geometry(double lon, double lat)
{
	return json_pack("{s:s, s:[f, f]}", "type", "Point", "coordinates", lon, lat);
}

static json_t *int_or_null(int v)
{
	return v ? json_integer(v) : json_null();
}

/* ---- crossing points ------------------------------------------------------------ */

static json_t *hours_json(const char *text)
{
	struct lm_hours h;
	struct lm_error err;
	json_t *o;

	if (!text[0] || lm_hours_parse(text, strlen(text), &h, &err) || h.always)
		return json_null();
	o = json_object();
	for (unsigned d = 0; o && d < 7; d++) {
		json_t *spans;
		if (!h.n[d])
			continue;
		spans = json_array();
		for (unsigned i = 0; spans && i < h.n[d]; i++) {
			char s[12];
			lm_hours_span_text(&h, d, i, s);
			json_array_append_new(spans, json_string(s));
		}
		json_object_set_new(o, lm_hours_day_name(d), spans);
	}
	return o;
}

/* opening_hours: null (24/7) or {"mon": ["08:00-20:00", ...], ...}; days left out are closed. */
static int hours_from_json(json_t *body, char *out, size_t cap, struct lm_error *err)
{
	json_t *v = json_object_get(body, "opening_hours"), *spans, *e;
	struct lm_hours h;
	struct lm_buf b = LM_BUF_INIT;
	const char *day;
	int rc = 0;

	if (!v)
		return 0;
	if (json_is_null(v)) {
		out[0] = '\0';
		return 0;
	}
	if (!json_is_object(v))
		return lm_error_set(err, LM_EINVAL, "opening_hours",
		                    "must be null (always open) or an object of weekdays");
	if (json_object_size(v) == 0)
		return lm_error_set(err, LM_EINVAL, "opening_hours",
		                    "lists no day; use null for a point that never closes");
	lm_hours_init_always(&h);
	json_object_foreach(v, day, spans)
	{
		int d = lm_hours_day_parse(day, strlen(day));
		size_t i;
		char field[64];
		snprintf(field, sizeof(field), "opening_hours/%.8s", day);
		if (d < 0)
			return lm_error_set(
			    err, LM_EINVAL, field,
			    "unknown weekday (use mon, tue, wed, thu, fri, sat, sun)");
		if (!json_is_array(spans))
			return lm_error_set(err, LM_EINVAL, field,
			                    "must be an array of \"HH:MM-HH:MM\" spans");
		json_array_foreach(spans, i, e)
		{
			snprintf(field, sizeof(field), "opening_hours/%.8s/%zu", day, i);
			if (!json_is_string(e))
				return lm_error_set(err, LM_EINVAL, field,
				                    "must be a \"HH:MM-HH:MM\" string");
			if ((rc = lm_hours_add_span(&h, (unsigned)d, json_string_value(e),
			                            json_string_length(e), field, err)))
				return rc;
		}
	}
	if (h.always)
		return lm_error_set(err, LM_EINVAL, "opening_hours",
		                    "lists no span; use null for a point that never closes");
	if ((rc = lm_hours_check(&h, err)))
		return rc;
	if ((rc = lm_hours_format(&h, &b)))
		return lm_error_set(err, rc, "opening_hours", "out of memory");
	if (b.len >= cap)
		rc = lm_error_set(err, LM_EINVAL, "opening_hours", "too many spans");
	else
		memcpy(out, b.ptr, b.len + 1);
	lm_buf_release(&b);
	return rc;
}

static json_t *point_props(const struct lm_crossing_point *p)
{
	char created[LM_TIME_STRLEN], updated[LM_TIME_STRLEN];

	lm_time_format(p->created_at, created);
	lm_time_format(p->updated_at, updated);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:i, s:b, s:s, s:o, "
	                 "s:{s:o, s:o}, s:s, s:s, s:s, s:I}",
	                 "id", p->id, "code", p->code, "name", p->name, "name_other", p->name_other,
	                 "country", p->country, "country_other", p->country_other, "kind", p->kind,
	                 "modes", lm_json_bits_value(p->modes, ALL_MODES, lm_mode_name), "lanes",
	                 p->lanes, "position_approximate", p->position_approximate, "time_zone",
	                 p->tz, "opening_hours", hours_json(p->hours), "capacity", "trucks_per_day",
	                 int_or_null(p->capacity_trucks_per_day), "persons_per_day",
	                 int_or_null(p->capacity_persons_per_day), "note", p->note, "created_at",
	                 created, "updated_at", updated, "version", (json_int_t)p->version);
}

static json_t *point_json(const void *rec)
{
	const struct lm_crossing_point *p = rec;
	json_t *o = point_props(p);

	if (o)
		json_object_set_new(o, "position",
		                    json_pack("{s:f, s:f}", "lon", p->lon, "lat", p->lat));
	return o;
}

static int point_fields(json_t *body, struct lm_crossing_point *p, int create, struct lm_error *err)
{
	json_t *cap = json_object_get(body, "capacity");
	long long n;
	int rc;

	if ((rc = lm_json_str(body, "name", p->name, sizeof(p->name), create, "name", err)) ||
	    (rc = lm_json_str(body, "name_other", p->name_other, sizeof(p->name_other), 0,
	                      "name_other", err)) ||
	    (rc = lm_json_str(body, "country", p->country, sizeof(p->country), create, "country",
	                      err)) ||
	    (rc = lm_json_str(body, "country_other", p->country_other, sizeof(p->country_other),
	                      create, "country_other", err)) ||
	    (rc = lm_json_str(body, "kind", p->kind, sizeof(p->kind), create, "kind", err)) ||
	    (rc = lm_json_bits(body, "modes", lm_mode_bit, &p->modes, create, "modes",
	                       "pedestrian, vehicle, cargo", err)) ||
	    (rc = lm_json_position(body, "position", &p->lon, &p->lat, create, err)) ||
	    (rc = lm_json_bool(body, "position_approximate", &p->position_approximate, 0,
	                       "position_approximate", err)) ||
	    (rc = lm_json_str(body, "time_zone", p->tz, sizeof(p->tz), create, "time_zone", err)) ||
	    (rc = hours_from_json(body, p->hours, sizeof(p->hours), err)) ||
	    (rc = lm_json_str(body, "note", p->note, sizeof(p->note), 0, "note", err)))
		return rc;
	n = p->lanes;
	/* Only the C type is guarded here; app/ checks the domain range with its message. */
	if ((rc = lm_json_int(body, "lanes", INT_MIN, INT_MAX, &n, 0, "lanes", err)))
		return rc;
	p->lanes = (int)n;
	if (cap && !json_is_null(cap)) {
		static const char *const allowed[] = {"trucks_per_day", "persons_per_day", NULL};
		if (!json_is_object(cap))
			return lm_error_set(err, LM_EINVAL, "capacity", "must be an object");
		if ((rc = lm_json_only(cap, allowed, "capacity", err)))
			return rc;
		n = p->capacity_trucks_per_day;
		if ((rc = lm_json_int(cap, "trucks_per_day", INT_MIN, INT_MAX, &n, 0,
		                      "capacity/trucks_per_day", err)))
			return rc;
		p->capacity_trucks_per_day = (int)n;
		n = p->capacity_persons_per_day;
		if ((rc = lm_json_int(cap, "persons_per_day", INT_MIN, INT_MAX, &n, 0,
		                      "capacity/persons_per_day", err)))
			return rc;
		p->capacity_persons_per_day = (int)n;
	}
	return 0;
}

static const char *const point_allowed[] = {
    "code",      "name",          "name_other", "country",  "country_other",
    "kind",      "modes",         "lanes",      "position", "position_approximate",
    "time_zone", "opening_hours", "capacity",   "note",     NULL,
};

static int point_row(void *ctx, const struct lm_crossing_point *p)
{
	struct lm_list_out *l = ctx;

	if (l->geojson)
		return lm_list_add(l, feature(point_geometry(p->lon, p->lat), point_props(p)),
		                   p->code);
	return lm_list_add(l, point_json(p), p->code);
}

static int point_list_fetch(struct lm_ctx *ctx, const struct lm_page *pg, struct lm_list_out *l)
{
	return lm_app_point_list(ctx->app, &ctx->actor, pg, point_row, l, &ctx->err);
}

int h_point_list(struct lm_ctx *ctx, struct lm_req *req, struct lm_resp *resp)
{
	return lm_list_respond(ctx, req, resp, 1, point_list_fetch);
}

int h_point_get(struct lm_ctx *ctx, struct lm_req *req, struct lm_resp *resp)
{
	struct lm_crossing_point p;
	int rc = lm_app_point_get(ctx->app, &ctx->actor, req->params[0], &p, &ctx->err);

	if (rc)
		return rc;
	lm_resp_etag(resp, p.version);
	if (lm_req_wants_geojson(req)) {
		rc =
		    lm_resp_json(resp, 200, feature(point_geometry(p.lon, p.lat), point_props(&p)));
		resp->content_type = "application/geo+json";
		return rc;
	}
	return lm_resp_json_cached(ctx, resp, p.id, p.version, point_json, &p);
}

int h_point_create(struct lm_ctx *ctx, struct lm_req *req, struct lm_resp *resp)
{
	struct lm_crossing_point p;
	struct lm_idem_req idem;
	struct lm_created cr;
	json_t *body = NULL;
	int rc;

	memset(&p, 0, sizeof(p));
	if ((rc = lm_req_idem(req, "/api/v1/crossing-points", &idem, &ctx->err)) ||
	    (rc = lm_json_body(req, &body, &ctx->err)) ||
	    (rc = lm_json_only(body, point_allowed, "", &ctx->err)) ||
	    (rc = lm_json_str(body, "code", p.code, sizeof(p.code), 1, "code", &ctx->err)) ||
	    (rc = point_fields(body, &p, 1, &ctx->err)) ||
	    (rc = lm_app_point_create(ctx->app, &ctx->actor, &idem, &p, &cr, &ctx->err)) ||
	    (rc = lm_app_point_get(ctx->app, &ctx->actor, cr.id, &p, &ctx->err)))
		goto out;
	lm_resp_created(resp, &cr, "/api/v1/crossing-points/%s", point_json(&p));
	lm_resp_etag(resp, p.version);
out:
	json_decref(body);
	return rc;
}

int h_point_patch(struct lm_ctx *ctx, struct lm_req *req, struct lm_resp *resp)
{
	struct lm_crossing_point p;
	json_t *body = NULL;
	int64_t version;
	int rc;

	if ((rc = lm_req_if_match(req, &version, &ctx->err)) ||
	    (rc = lm_json_body(req, &body, &ctx->err)) ||
	    (rc = lm_json_only(body, point_allowed, "", &ctx->err)) ||
	    (rc = lm_app_point_get(ctx->app, &ctx->actor, req->params[0], &p, &ctx->err)) ||
	    (rc = lm_json_str(body, "code", p.code, sizeof(p.code), 0, "code", &ctx->err)) ||
	    (rc = point_fields(body, &p, 0, &ctx->err)) ||
	    (rc = lm_app_point_update(ctx->app, &ctx->actor, &p, version, &ctx->err)) ||
	    (rc = lm_app_point_get(ctx->app, &ctx->actor, p.id, &p, &ctx->err)))
		goto out;
	lm_resp_etag(resp, p.version);
	rc = lm_resp_json(resp, 200, point_json(&p));
out:
	json_decref(body);
	return rc;
}

/* ---- segments ------------------------------------------------------------------- */

/* WKT from the store -> GeoJSON LineString. New reference, NULL on a bad geometry. */
static json_t *line_json(const char *wkt)
{
	struct lm_point *pts = NULL;
	struct lm_error err;
	size_t n = 0;
	json_t *coords, *g = NULL;

	if (lm_geo_line_from_wkt(wkt, strlen(wkt), &pts, &n, &err))
		return NULL;
	coords = json_array();
	for (size_t i = 0; coords && i < n; i++)
		json_array_append_new(coords, json_pack("[f, f]", pts[i].lon, pts[i].lat));
	if (coords)
		g = json_pack("{s:s, s:o}", "type", "LineString", "coordinates", coords);
	free(pts);
	return g;
}

static json_t *segment_props(const struct lm_segment *s)
{
	char created[LM_TIME_STRLEN], updated[LM_TIME_STRLEN];

	lm_time_format(s->created_at, created);
	lm_time_format(s->updated_at, updated);
	return json_pack("{s:s, s:s, s:s, s:[s, s], s:f, s:s, s:s, s:s, s:I}", "id", s->id, "code",
	                 s->code, "name", s->name, "countries", s->country_a, s->country_b,
	                 "length_m", s->length_m, "note", s->note, "created_at", created,
	                 "updated_at", updated, "version", (json_int_t)s->version);
}

static json_t *segment_json(const struct lm_segment *s)
{
	json_t *o = segment_props(s);

	if (o)
		json_object_set_new(o, "geometry", line_json(s->wkt));
	return o;
}

/* geometry: a GeoJSON LineString -> WKT in *wkt (heap, caller frees). */
static int geometry_from_json(json_t *body, char **wkt, int required, struct lm_error *err)
{
	json_t *g = json_object_get(body, "geometry"), *coords, *pt;
	struct lm_point *pts = NULL;
	struct lm_buf b = LM_BUF_INIT;
	size_t i, n;
	int rc = 0;

	if (!g || (json_is_null(g) && !required))
		return required ? lm_error_set(err, LM_EINVAL, "geometry", "is required") : 0;
	if (!json_is_object(g) || !json_is_string(json_object_get(g, "type")) ||
	    strcmp(json_string_value(json_object_get(g, "type")), "LineString") != 0)
		return lm_error_set(err, LM_EINVAL, "geometry", "must be a GeoJSON LineString");
	coords = json_object_get(g, "coordinates");
	if (!json_is_array(coords) || json_array_size(coords) < 2)
		return lm_error_set(err, LM_EINVAL, "geometry/coordinates",
		                    "must be an array of at least 2 [lon, lat] positions");
	n = json_array_size(coords);
	if (n > 100000)
		return lm_error_set(err, LM_EINVAL, "geometry/coordinates",
		                    "more than 100000 positions");
	pts = calloc(n, sizeof(*pts));
	if (!pts)
		return lm_error_set(err, LM_ENOMEM, "", "out of memory");
	json_array_foreach(coords, i, pt)
	{
		char field[64];
		snprintf(field, sizeof(field), "geometry/coordinates/%zu", i);
		if (!json_is_array(pt) || json_array_size(pt) < 2 || json_array_size(pt) > 3 ||
		    !json_is_number(json_array_get(pt, 0)) ||
		    !json_is_number(json_array_get(pt, 1))) {
			rc = lm_error_set(err, LM_EINVAL, field, "must be [lon, lat]");
			goto out;
		}
		pts[i].lon = json_number_value(json_array_get(pt, 0));
		pts[i].lat = json_number_value(json_array_get(pt, 1));
		if ((rc = lm_geo_check(pts[i].lon, pts[i].lat, field, err)))
			goto out;
	}
	if ((rc = lm_geo_line_to_wkt(pts, n, &b))) {
		rc = lm_error_set(err, rc, "geometry", "out of memory");
		goto out;
	}
	free(*wkt);
	*wkt = lm_buf_detach(&b);
	if (!*wkt)
		rc = lm_error_set(err, LM_ENOMEM, "", "out of memory");
out:
	lm_buf_release(&b);
	free(pts);
	return rc;
}

static int segment_fields(json_t *body, struct lm_segment *s, int create, struct lm_error *err)
{
	json_t *c = json_object_get(body, "countries");
	int rc;

	if ((rc = lm_json_str(body, "name", s->name, sizeof(s->name), create, "name", err)) ||
	    (rc = lm_json_str(body, "note", s->note, sizeof(s->note), 0, "note", err)) ||
	    (rc = geometry_from_json(body, &s->wkt, create, err)))
		return rc;
	if ((!c || json_is_null(c)) && !create)
		return 0;
	if (!json_is_array(c) || json_array_size(c) != 2 || !json_is_string(json_array_get(c, 0)) ||
	    !json_is_string(json_array_get(c, 1)) ||
	    json_string_length(json_array_get(c, 0)) != 2 ||
	    json_string_length(json_array_get(c, 1)) != 2)
		return lm_error_set(err, LM_EINVAL, "countries",
		                    "must be two ISO 3166 alpha-2 codes, e.g. [\"CN\", \"MM\"]");
	snprintf(s->country_a, sizeof(s->country_a), "%s", json_string_value(json_array_get(c, 0)));
	snprintf(s->country_b, sizeof(s->country_b), "%s", json_string_value(json_array_get(c, 1)));
	return 0;
}

static const char *const segment_allowed[] = {"code",     "name", "countries",
                                              "geometry", "note", NULL};

static int segment_row(void *ctx, const struct lm_segment *s)
{
	struct lm_list_out *l = ctx;

	if (l->geojson)
		return lm_list_add(l, feature(line_json(s->wkt), segment_props(s)), s->code);
	return lm_list_add(l, segment_json(s), s->code);
}

static int segment_list_fetch(struct lm_ctx *ctx, const struct lm_page *pg, struct lm_list_out *l)
{
	return lm_app_segment_list(ctx->app, &ctx->actor, pg, segment_row, l, &ctx->err);
}

int h_segment_list(struct lm_ctx *ctx, struct lm_req *req, struct lm_resp *resp)
{
	return lm_list_respond(ctx, req, resp, 1, segment_list_fetch);
}

int h_segment_get(struct lm_ctx *ctx, struct lm_req *req, struct lm_resp *resp)
{
	struct lm_segment s;
	int rc = lm_app_segment_get(ctx->app, &ctx->actor, req->params[0], &s, &ctx->err);

	if (rc)
		return rc;
	lm_resp_etag(resp, s.version);
	if (lm_req_wants_geojson(req)) {
		rc = lm_resp_json(resp, 200, feature(line_json(s.wkt), segment_props(&s)));
		resp->content_type = "application/geo+json";
	} else {
		rc = lm_resp_json(resp, 200, segment_json(&s));
	}
	lm_segment_release(&s);
	return rc;
}

int h_segment_create(struct lm_ctx *ctx, struct lm_req *req, struct lm_resp *resp)
{
	struct lm_segment s;
	struct lm_idem_req idem;
	struct lm_created cr;
	json_t *body = NULL;
	int rc;

	memset(&s, 0, sizeof(s));
	if ((rc = lm_req_idem(req, "/api/v1/segments", &idem, &ctx->err)) ||
	    (rc = lm_json_body(req, &body, &ctx->err)) ||
	    (rc = lm_json_only(body, segment_allowed, "", &ctx->err)) ||
	    (rc = lm_json_str(body, "code", s.code, sizeof(s.code), 1, "code", &ctx->err)) ||
	    (rc = segment_fields(body, &s, 1, &ctx->err)) ||
	    (rc = lm_app_segment_create(ctx->app, &ctx->actor, &idem, &s, &cr, &ctx->err)))
		goto out;
	lm_segment_release(&s);
	if ((rc = lm_app_segment_get(ctx->app, &ctx->actor, cr.id, &s, &ctx->err)))
		goto out;
	lm_resp_created(resp, &cr, "/api/v1/segments/%s", segment_json(&s));
	lm_resp_etag(resp, s.version);
out:
	lm_segment_release(&s);
	json_decref(body);
	return rc;
}

int h_segment_patch(struct lm_ctx *ctx, struct lm_req *req, struct lm_resp *resp)
{
	struct lm_segment s;
	json_t *body = NULL;
	int64_t version;
	int rc;

	memset(&s, 0, sizeof(s));
	if ((rc = lm_req_if_match(req, &version, &ctx->err)) ||
	    (rc = lm_json_body(req, &body, &ctx->err)) ||
	    (rc = lm_json_only(body, segment_allowed, "", &ctx->err)) ||
	    (rc = lm_app_segment_get(ctx->app, &ctx->actor, req->params[0], &s, &ctx->err)) ||
	    (rc = lm_json_str(body, "code", s.code, sizeof(s.code), 0, "code", &ctx->err)) ||
	    (rc = segment_fields(body, &s, 0, &ctx->err)) ||
	    (rc = lm_app_segment_update(ctx->app, &ctx->actor, &s, version, &ctx->err)))
		goto out;
	lm_segment_release(&s); /* keeps s.id: the read below is by id, the code may have changed */
	if ((rc = lm_app_segment_get(ctx->app, &ctx->actor, s.id, &s, &ctx->err)))
		goto out;
	lm_resp_etag(resp, s.version);
	rc = lm_resp_json(resp, 200, segment_json(&s));
out:
	lm_segment_release(&s);
	json_decref(body);
	return rc;
}

/* ---- markers and inspections ------------------------------------------------------ */

static json_t *marker_props(const struct lm_marker *m)
{
	char created[LM_TIME_STRLEN], updated[LM_TIME_STRLEN];

	lm_time_format(m->created_at, created);
	lm_time_format(m->updated_at, updated);
	return json_pack("{s:s, s:s, s:s?, s:s, s:s, s:s, s:s, s:I}", "id", m->id, "pillar",
	                 m->pillar, "segment_id", m->segment_id[0] ? m->segment_id : NULL,
	                 "condition", lm_marker_condition_name(m->condition), "note", m->note,
	                 "created_at", created, "updated_at", updated, "version",
	                 (json_int_t)m->version);
}

static json_t *marker_json(const struct lm_marker *m)
{
	json_t *o = marker_props(m);

	if (o)
		json_object_set_new(o, "position",
		                    json_pack("{s:f, s:f}", "lon", m->lon, "lat", m->lat));
	return o;
}

static int marker_fields(json_t *body, struct lm_marker *m, int create, struct lm_error *err)
{
	char cond[16] = "";
	int rc;

	if ((rc = lm_json_str(body, "segment", m->segment_id, sizeof(m->segment_id), 0, "segment",
	                      err)) ||
	    (rc = lm_json_position(body, "position", &m->lon, &m->lat, create, err)) ||
	    (rc = lm_json_str(body, "condition", cond, sizeof(cond), create, "condition", err)) ||
	    (rc = lm_json_str(body, "note", m->note, sizeof(m->note), 0, "note", err)))
		return rc;
	if (cond[0] && lm_marker_condition_parse(cond, &m->condition))
		return lm_error_set(err, LM_EINVAL, "condition",
		                    "must be intact, damaged, missing or displaced");
	return 0;
}

static const char *const marker_allowed[] = {"pillar",    "segment", "position",
                                             "condition", "note",    NULL};

static int marker_row(void *ctx, const struct lm_marker *m)
{
	struct lm_list_out *l = ctx;

	if (l->geojson)
		return lm_list_add(l, feature(point_geometry(m->lon, m->lat), marker_props(m)),
		                   m->pillar);
	return lm_list_add(l, marker_json(m), m->pillar);
}

static int marker_list_fetch(struct lm_ctx *ctx, const struct lm_page *pg, struct lm_list_out *l)
{
	return lm_app_marker_list(ctx->app, &ctx->actor, pg, marker_row, l, &ctx->err);
}

int h_marker_list(struct lm_ctx *ctx, struct lm_req *req, struct lm_resp *resp)
{
	return lm_list_respond(ctx, req, resp, 1, marker_list_fetch);
}

int h_marker_get(struct lm_ctx *ctx, struct lm_req *req, struct lm_resp *resp)
{
	struct lm_marker m;
	int rc = lm_app_marker_get(ctx->app, &ctx->actor, req->params[0], &m, &ctx->err);

	if (rc)
		return rc;
	lm_resp_etag(resp, m.version);
	if (lm_req_wants_geojson(req)) {
		rc = lm_resp_json(resp, 200,
		                  feature(point_geometry(m.lon, m.lat), marker_props(&m)));
		resp->content_type = "application/geo+json";
		return rc;
	}
	return lm_resp_json(resp, 200, marker_json(&m));
}

int h_marker_create(struct lm_ctx *ctx, struct lm_req *req, struct lm_resp *resp)
{
	struct lm_marker m;
	struct lm_idem_req idem;
	struct lm_created cr;
	json_t *body = NULL;
	int rc;

	memset(&m, 0, sizeof(m));
	if ((rc = lm_req_idem(req, "/api/v1/markers", &idem, &ctx->err)) ||
	    (rc = lm_json_body(req, &body, &ctx->err)) ||
	    (rc = lm_json_only(body, marker_allowed, "", &ctx->err)) ||
	    (rc =
	         lm_json_str(body, "pillar", m.pillar, sizeof(m.pillar), 1, "pillar", &ctx->err)) ||
	    (rc = marker_fields(body, &m, 1, &ctx->err)) ||
	    (rc = lm_app_marker_create(ctx->app, &ctx->actor, &idem, &m, &cr, &ctx->err)) ||
	    (rc = lm_app_marker_get(ctx->app, &ctx->actor, cr.id, &m, &ctx->err)))
		goto out;
	lm_resp_created(resp, &cr, "/api/v1/markers/%s", marker_json(&m));
	lm_resp_etag(resp, m.version);
out:
	json_decref(body);
	return rc;
}

int h_marker_patch(struct lm_ctx *ctx, struct lm_req *req, struct lm_resp *resp)
{
	struct lm_marker m;
	json_t *body = NULL;
	int64_t version;
	int rc;

	if ((rc = lm_req_if_match(req, &version, &ctx->err)) ||
	    (rc = lm_json_body(req, &body, &ctx->err)) ||
	    (rc = lm_json_only(body, marker_allowed, "", &ctx->err)) ||
	    (rc = lm_app_marker_get(ctx->app, &ctx->actor, req->params[0], &m, &ctx->err)) ||
	    (rc =
	         lm_json_str(body, "pillar", m.pillar, sizeof(m.pillar), 0, "pillar", &ctx->err)) ||
	    (rc = marker_fields(body, &m, 0, &ctx->err)) ||
	    (rc = lm_app_marker_update(ctx->app, &ctx->actor, &m, version, &ctx->err)) ||
	    (rc = lm_app_marker_get(ctx->app, &ctx->actor, m.id, &m, &ctx->err)))
		goto out;
	lm_resp_etag(resp, m.version);
	rc = lm_resp_json(resp, 200, marker_json(&m));
out:
	json_decref(body);
	return rc;
}

static json_t *inspection_json(const struct lm_inspection *i)
{
	char at[LM_TIME_STRLEN], created[LM_TIME_STRLEN];

	lm_time_format(i->inspected_at, at);
	lm_time_format(i->created_at, created);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id", i->id, "marker_id",
	                 i->marker_id, "inspected_at", at, "inspector_id", i->inspector_id,
	                 "condition", lm_marker_condition_name(i->condition), "note", i->note,
	                 "created_at", created);
}

static int inspection_row(void *ctx, const struct lm_inspection *i)
{
	return lm_list_add(ctx, inspection_json(i), i->id);
}

int h_inspection_list(struct lm_ctx *ctx, struct lm_req *req, struct lm_resp *resp)
{
	struct lm_list_out l;
	struct lm_page pg = {"", 0};
	int rc;

	if ((rc = lm_list_init(&l, 0, &ctx->err)))
		return rc;
	if ((rc = lm_app_inspection_list(ctx->app, &ctx->actor, req->params[0], inspection_row, &l,
	                                 &ctx->err))) {
		json_decref(l.items);
		return rc;
	}
	return lm_resp_list(resp, &l, &pg);
}

struct find_inspection {
	const char *id;
	struct lm_inspection *out;
	int found;
};

static int find_inspection(void *ctx, const struct lm_inspection *i)
{
	struct find_inspection *f = ctx;

	if (strcmp(i->id, f->id) != 0)
		return 0;
	*f->out = *i;
	f->found = 1;
	return 1;
}

int h_inspection_create(struct lm_ctx *ctx, struct lm_req *req, struct lm_resp *resp)
{
	static const char *const allowed[] = {"inspected_at", "condition", "note", NULL};
	struct lm_inspection i;
	struct lm_idem_req idem;
	struct lm_created cr;
	char cond[16] = "";
	json_t *body = NULL;
	int rc;

	memset(&i, 0, sizeof(i));
	/* The marker is named by pillar or by id, like every other marker route. */
	if (strlen(req->params[0]) >= sizeof(i.marker_id))
		return lm_error_set(&ctx->err, LM_ENOTFOUND, "", "no such marker");
	snprintf(i.marker_id, sizeof(i.marker_id), "%s", req->params[0]);
	if ((rc = lm_req_idem(req, "/api/v1/markers/{pillar}/inspections", &idem, &ctx->err)) ||
	    (rc = lm_json_body(req, &body, &ctx->err)) ||
	    (rc = lm_json_only(body, allowed, "", &ctx->err)) ||
	    (rc = lm_json_time(body, "inspected_at", &i.inspected_at, 1, 0, "inspected_at",
	                       &ctx->err)) ||
	    (rc = lm_json_str(body, "condition", cond, sizeof(cond), 1, "condition", &ctx->err)) ||
	    (rc = lm_json_str(body, "note", i.note, sizeof(i.note), 0, "note", &ctx->err)))
		goto out;
	if (lm_marker_condition_parse(cond, &i.condition)) {
		rc = lm_error_set(&ctx->err, LM_EINVAL, "condition",
		                  "must be intact, damaged, missing or displaced");
		goto out;
	}
	if ((rc = lm_app_inspection_add(ctx->app, &ctx->actor, &idem, &i, &cr, &ctx->err)))
		goto out;
	if (cr.replayed) {
		struct find_inspection f = {cr.id, &i, 0};
		if ((rc = lm_app_inspection_list(ctx->app, &ctx->actor, req->params[0],
		                                 find_inspection, &f, &ctx->err)))
			goto out;
		if (!f.found) {
			rc = lm_error_set(&ctx->err, LM_ENOTFOUND, "", "the inspection is gone");
			goto out;
		}
	}
	lm_resp_created(resp, &cr, NULL, inspection_json(&i));
out:
	json_decref(body);
	return rc;
}

/* ---- deletes ---------------------------------------------------------------------- */

static int registry_delete(struct lm_ctx *ctx, struct lm_req *req, struct lm_resp *resp,
                           enum lm_registry_kind kind)
{
	int64_t version;
	int rc;

	if ((rc = lm_req_if_match(req, &version, &ctx->err)) ||
	    (rc = lm_app_registry_delete(ctx->app, &ctx->actor, kind, req->params[0], version,
	                                 &ctx->err)))
		return rc;
	resp->status = 204;
	return 0;
}

int h_point_delete(struct lm_ctx *ctx, struct lm_req *req, struct lm_resp *resp)
{
	return registry_delete(ctx, req, resp, LM_REG_POINT);
}

int h_segment_delete(struct lm_ctx *ctx, struct lm_req *req, struct lm_resp *resp)
{
	return registry_delete(ctx, req, resp, LM_REG_SEGMENT);
}

int h_marker_delete(struct lm_ctx *ctx, struct lm_req *req, struct lm_resp *resp)
{
	return registry_delete(ctx, req, resp, LM_REG_MARKER);
}
