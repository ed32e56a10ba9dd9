/*
 * registry.c - the border registry: crossing points, border segments,
 * boundary markers and their inspections.
 */
#include "app/app_int.h"
#include "core/geo.h"
#include "core/hours.h"
#include "core/tz.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Generous upper bounds that still catch a mistyped extra digit. */
#define LM_LANES_MAX    200
#define LM_CAPACITY_MAX 1000000

/* Shared shape of every registry read: permission, one store call, NOTFOUND. */
#define REGISTRY_GET(app, a, what, type, key_in, call)                                             \
	do {                                                                                       \
		struct lm_conn *c_;                                                                \
		enum lm_qs qs_;                                                                    \
		int rc_;                                                                           \
		char key[LM__KEY_MAX];                                                             \
		lm__key(key, key_in);                                                              \
		if ((rc_ = lm__require(app, a, LM_PERM_REGISTRY_READ, type ".read", type, key,     \
		                       err)))                                                      \
			return rc_;                                                                \
		c_ = lm_store_acquire((app)->st, LM_CONN_READ);                                    \
		qs_ = call(c_, key, out);                                                          \
		rc_ = lm__qs(app, c_, qs_, what, err);                                             \
		lm_store_release(c_);                                                              \
		if (!rc_ && qs_ == LM_QS_NONE)                                                     \
			rc_ = lm_error_set(err, LM_ENOTFOUND, "", "no " what " %s", key);          \
		return rc_;                                                                        \
	} while (0)

#define REGISTRY_LIST(app, a, what, type, call)                                                    \
	do {                                                                                       \
		struct lm_conn *c_;                                                                \
		int rc_;                                                                           \
		if ((rc_ =                                                                         \
		         lm__require(app, a, LM_PERM_REGISTRY_READ, type ".list", type, "", err))) \
			return rc_;                                                                \
		c_ = lm_store_acquire((app)->st, LM_CONN_READ);                                    \
		rc_ = lm__qs(app, c_, call(c_, pg, cb, ctx), what, err);                           \
		lm_store_release(c_);                                                              \
		return rc_;                                                                        \
	} while (0)

/* ---- crossing points --------------------------------------------------------- */

static int check_point_code(const char *s, struct lm_error *err)
{
	char cc[3];

	if (strlen(s) != 5)
		return lm_error_set(err, LM_EINVAL, "code",
		                    "must be 5 characters, UN/LOCODE style (e.g. CNRUI)");
	memcpy(cc, s, 2);
	cc[2] = '\0';
	if (lm__check_country(cc, "code", err))
		return lm_error_set(err, LM_EINVAL, "code",
		                    "must start with an ISO 3166 alpha-2 country ('%s' is not one)",
		                    cc);
	for (int i = 2; i < 5; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '2' && s[i] <= '9')))
			return lm_error_set(err, LM_EINVAL, "code",
			                    "characters 3-5 must be A-Z or 2-9 (UN/LOCODE)");
	return 0;
}

static int check_point(const struct lm_crossing_point *p, struct lm_error *err)
{
	struct lm_hours h;
	int rc;

	if ((rc = check_point_code(p->code, err)) ||
	    (rc = lm__check_text(p->name, LM_NAME_MAX, 1, "name", err)) ||
	    (rc = lm__check_text(p->name_other, LM_NAME_MAX, 0, "name_other", err)) ||
	    (rc = lm__check_country(p->country, "country", err)) ||
	    (rc = lm__check_country(p->country_other, "country_other", err)) ||
	    (rc = lm__check_text(p->note, LM_TEXT_MAX, 0, "note", err)))
		return rc;
	if (strncmp(p->code, p->country, 2) != 0)
		return lm_error_set(err, LM_EINVAL, "code", "must start with the country (%s)",
		                    p->country);
	if (strcmp(p->country, p->country_other) == 0)
		return lm_error_set(err, LM_EINVAL, "country_other",
		                    "must differ from country: a crossing joins two countries");
	if (strcmp(p->kind, "international") && strcmp(p->kind, "bilateral") &&
	    strcmp(p->kind, "local"))
		return lm_error_set(err, LM_EINVAL, "kind",
		                    "must be international, bilateral or local");
	if (p->modes == 0 ||
	    (p->modes & ~(unsigned)(LM_MODE_PEDESTRIAN | LM_MODE_VEHICLE | LM_MODE_CARGO)))
		return lm_error_set(err, LM_EINVAL, "modes",
		                    "must list at least one of pedestrian, vehicle, cargo");
	if (p->lanes < 0 || p->lanes > LM_LANES_MAX)
		return lm_error_set(err, LM_EINVAL, "lanes", "must be 0 to %d", LM_LANES_MAX);
	if ((rc = lm_geo_check(p->lon, p->lat, "position", err)))
		return rc;
	if (!lm_tz_valid(p->tz))
		return lm_error_set(err, LM_EINVAL, "time_zone", "'%.64s' is not an IANA time zone",
		                    p->tz);
	if ((rc = lm_hours_parse(p->hours, strlen(p->hours), &h, err)))
		return rc;
	if (p->capacity_trucks_per_day < 0 || p->capacity_trucks_per_day > LM_CAPACITY_MAX)
		return lm_error_set(err, LM_EINVAL, "capacity/trucks_per_day", "must be 0 to %d",
		                    LM_CAPACITY_MAX);
	if (p->capacity_persons_per_day < 0 || p->capacity_persons_per_day > LM_CAPACITY_MAX)
		return lm_error_set(err, LM_EINVAL, "capacity/persons_per_day", "must be 0 to %d",
		                    LM_CAPACITY_MAX);
	return 0;
}

static int point_create_fn(struct lm_app *app, struct lm_conn *c, void *arg, char *object_id,
                           size_t object_id_len, struct lm_error *err)
{
	struct lm_crossing_point p = *(const struct lm_crossing_point *)arg;

	lm_uuid_v7(p.id);
	p.created_at = p.updated_at = lm_time_now();
	p.version = 1;
	snprintf(object_id, object_id_len, "%s", p.code);
	return lm__qs(app, c, lm_store_point_insert(c, &p), "a crossing point with this code", err);
}

int lm_app_point_create(struct lm_app *app, const struct lm_actor *a,
                        const struct lm_idem_req *idem, const struct lm_crossing_point *in,
                        struct lm_created *out, struct lm_error *err)
{
	struct lm__write w = {"crossing_point.create", "crossing_point", idem,
	                      point_create_fn,         (void *)in,       LM__INV_POINTS};
	int rc;

	if ((rc = lm__require(app, a, LM_PERM_REGISTRY_WRITE, w.action, w.object_type, in->code,
	                      err)) ||
	    (rc = check_point(in, err)))
		return rc;
	return lm__write(app, a, &w, out, err);
}

int lm_app_point_get(struct lm_app *app, const struct lm_actor *a, const char *key_in,
                     struct lm_crossing_point *out, struct lm_error *err)
{
	struct lm_conn *c;
	enum lm_qs qs;
	uint64_t gen;
	char key[LM__KEY_MAX];
	int rc;

	lm__key(key, key_in);

	if ((rc = lm__require(app, a, LM_PERM_REGISTRY_READ, "crossing_point.read",
	                      "crossing_point", key, err)))
		return rc;
	/* The desk and the map ask for the same few dozen points all day. */
	lm__caches_sync(app);
	if (lm_cache_get(app->points, key, out))
		return 0;
	gen = lm_cache_gen(app->points);
	c = lm_store_acquire(app->st, LM_CONN_READ);
	qs = lm_store_point_get(c, key, out);
	rc = lm__qs(app, c, qs, "crossing point", err);
	lm_store_release(c);
	if (!rc && qs == LM_QS_NONE)
		rc = lm_error_set(err, LM_ENOTFOUND, "", "no crossing point %s", key);
	if (!rc) {
		lm_cache_put(app->points, out->code, out, gen);
		lm_cache_put(app->points, out->id, out, gen);
	}
	return rc;
}

int lm_app_point_list(struct lm_app *app, const struct lm_actor *a, const struct lm_page *pg,
                      int (*cb)(void *ctx, const struct lm_crossing_point *p), void *ctx,
                      struct lm_error *err)
{
	REGISTRY_LIST(app, a, "crossing points", "crossing_point", lm_store_point_list);
}

struct versioned {
	const void *rec;
	int64_t expect_version;
};

static int point_update_fn(struct lm_app *app, struct lm_conn *c, void *arg, char *object_id,
                           size_t object_id_len, struct lm_error *err)
{
	const struct versioned *v = arg;
	struct lm_crossing_point p = *(const struct lm_crossing_point *)v->rec, cur;
	enum lm_qs qs;
	int rc;

	qs = lm_store_point_get(c, p.id[0] ? p.id : p.code, &cur);
	if ((rc = lm__qs(app, c, qs, "crossing point", err)))
		return rc;
	if (qs == LM_QS_NONE)
		return lm_error_set(err, LM_ENOTFOUND, "", "no crossing point %s", p.code);
	snprintf(object_id, object_id_len, "%s", cur.code);
	/* The code is the point's identity in every reference: it does not change. */
	if (strcmp(cur.code, p.code) != 0)
		return lm_error_set(err, LM_EINVAL, "code",
		                    "a crossing point's code cannot change");
	memcpy(p.id, cur.id, sizeof(p.id));
	p.created_at = cur.created_at;
	p.updated_at = lm_time_now();
	qs = lm_store_point_update(c, &p, v->expect_version);
	if ((rc = lm__qs(app, c, qs, "crossing point", err)))
		return rc;
	if (qs == LM_QS_NONE)
		return lm_error_set(err, LM_ESTALE, "If-Match",
		                    "crossing point %s changed since version %lld was read", p.code,
		                    (long long)v->expect_version);
	return 0;
}

int lm_app_point_update(struct lm_app *app, const struct lm_actor *a,
                        const struct lm_crossing_point *in, int64_t expect_version,
                        struct lm_error *err)
{
	struct versioned v = {in, expect_version};
	struct lm__write w = {"crossing_point.update", "crossing_point", NULL, point_update_fn, &v,
	                      LM__INV_POINTS};
	struct lm_created out;
	int rc;

	if ((rc = lm__require(app, a, LM_PERM_REGISTRY_WRITE, w.action, w.object_type, in->code,
	                      err)) ||
	    (rc = check_point(in, err)))
		return rc;
	return lm__write(app, a, &w, &out, err);
}

/* ---- segments ------------------------------------------------------------------ */

static int check_segment(struct lm_segment *s, struct lm_error *err)
{
	struct lm_point *pts = NULL;
	size_t n = 0;
	int rc;

	if ((rc = lm__check_code(s->code, "code", err)) ||
	    (rc = lm__check_text(s->name, LM_NAME_MAX, 1, "name", err)) ||
	    (rc = lm__check_country(s->country_a, "countries/0", err)) ||
	    (rc = lm__check_country(s->country_b, "countries/1", err)) ||
	    (rc = lm__check_text(s->note, LM_TEXT_MAX, 0, "note", err)))
		return rc;
	if (strcmp(s->country_a, s->country_b) == 0)
		return lm_error_set(err, LM_EINVAL, "countries/1",
		                    "a border segment separates two different countries");
	if (!s->wkt)
		return lm_error_set(err, LM_EINVAL, "geometry", "is required");
	if ((rc = lm_geo_line_from_wkt(s->wkt, strlen(s->wkt), &pts, &n, err)))
		return rc;
	s->length_m = lm_geo_line_length_m(pts, n);
	free(pts);
	return 0;
}

static int segment_create_fn(struct lm_app *app, struct lm_conn *c, void *arg, char *object_id,
                             size_t object_id_len, struct lm_error *err)
{
	struct lm_segment s = *(const struct lm_segment *)arg;

	lm_uuid_v7(s.id);
	s.created_at = s.updated_at = lm_time_now();
	s.version = 1;
	snprintf(object_id, object_id_len, "%s", s.code);
	return lm__qs(app, c, lm_store_segment_insert(c, &s), "a segment with this code", err);
}

int lm_app_segment_create(struct lm_app *app, const struct lm_actor *a,
                          const struct lm_idem_req *idem, const struct lm_segment *in,
                          struct lm_created *out, struct lm_error *err)
{
	struct lm_segment s = *in;
	struct lm__write w = {"segment.create", "segment", idem, segment_create_fn, &s, 0};
	int rc;

	if ((rc = lm__require(app, a, LM_PERM_REGISTRY_WRITE, w.action, w.object_type, in->code,
	                      err)) ||
	    (rc = check_segment(&s, err)))
		return rc;
	return lm__write(app, a, &w, out, err);
}

int lm_app_segment_get(struct lm_app *app, const struct lm_actor *a, const char *key_in,
                       struct lm_segment *out, struct lm_error *err)
{
	REGISTRY_GET(app, a, "segment", "segment", key_in, lm_store_segment_get);
}

int lm_app_segment_list(struct lm_app *app, const struct lm_actor *a, const struct lm_page *pg,
                        int (*cb)(void *ctx, const struct lm_segment *s), void *ctx,
                        struct lm_error *err)
{
	REGISTRY_LIST(app, a, "segments", "segment", lm_store_segment_list);
}

static int segment_update_fn(struct lm_app *app, struct lm_conn *c, void *arg, char *object_id,
                             size_t object_id_len, struct lm_error *err)
{
	const struct versioned *v = arg;
	struct lm_segment s = *(const struct lm_segment *)v->rec, cur;
	enum lm_qs qs;
	int rc;

	qs = lm_store_segment_get(c, s.id[0] ? s.id : s.code, &cur);
	if ((rc = lm__qs(app, c, qs, "segment", err)))
		return rc;
	if (qs == LM_QS_NONE)
		return lm_error_set(err, LM_ENOTFOUND, "", "no segment %s", s.code);
	snprintf(object_id, object_id_len, "%s", cur.code);
	memcpy(s.id, cur.id, sizeof(s.id));
	s.created_at = cur.created_at;
	s.updated_at = lm_time_now();
	lm_segment_release(&cur);
	qs = lm_store_segment_update(c, &s, v->expect_version);
	if ((rc = lm__qs(app, c, qs, "segment", err)))
		return rc;
	if (qs == LM_QS_NONE)
		return lm_error_set(err, LM_ESTALE, "If-Match",
		                    "segment %s changed since version %lld was read", s.code,
		                    (long long)v->expect_version);
	return 0;
}

int lm_app_segment_update(struct lm_app *app, const struct lm_actor *a, const struct lm_segment *in,
                          int64_t expect_version, struct lm_error *err)
{
	struct lm_segment s = *in;
	struct versioned v = {&s, expect_version};
	struct lm__write w = {"segment.update", "segment", NULL, segment_update_fn, &v, 0};
	struct lm_created out;
	int rc;

	if ((rc = lm__require(app, a, LM_PERM_REGISTRY_WRITE, w.action, w.object_type, in->code,
	                      err)) ||
	    (rc = check_segment(&s, err)))
		return rc;
	return lm__write(app, a, &w, &out, err);
}

/* ---- markers and inspections -------------------------------------------------- */

static const char *const condition_names[] = {
    [LM_MARKER_INTACT] = "intact",
    [LM_MARKER_DAMAGED] = "damaged",
    [LM_MARKER_MISSING] = "missing",
    [LM_MARKER_DISPLACED] = "displaced",
};

const char *lm_marker_condition_name(enum lm_marker_condition c)
{
	if (c < LM_MARKER_INTACT || c > LM_MARKER_DISPLACED)
		return "unknown";
	return condition_names[c];
}

int lm_marker_condition_parse(const char *s, enum lm_marker_condition *out)
{
	for (int i = LM_MARKER_INTACT; i <= LM_MARKER_DISPLACED; i++) {
		if (strcmp(s, condition_names[i]) == 0) {
			*out = (enum lm_marker_condition)i;
			return 0;
		}
	}
	return LM_EINVAL;
}

static int check_marker(const struct lm_marker *m, struct lm_error *err)
{
	int rc;

	if ((rc = lm__check_code(m->pillar, "pillar", err)) ||
	    (rc = lm_geo_check(m->lon, m->lat, "position", err)) ||
	    (rc = lm__check_text(m->note, LM_TEXT_MAX, 0, "note", err)))
		return rc;
	if (m->condition < LM_MARKER_INTACT || m->condition > LM_MARKER_DISPLACED)
		return lm_error_set(err, LM_EINVAL, "condition",
		                    "must be intact, damaged, missing or displaced");
	return 0;
}

/* A marker names its segment by id or code; store the id. */
static int resolve_segment(struct lm_app *app, struct lm_conn *c, struct lm_marker *m,
                           struct lm_error *err)
{
	struct lm_segment s;
	enum lm_qs qs;
	int rc;

	if (!m->segment_id[0])
		return 0;
	qs = lm_store_segment_get(c, m->segment_id, &s);
	if ((rc = lm__qs(app, c, qs, "segment", err)))
		return rc;
	if (qs == LM_QS_NONE)
		return lm_error_set(err, LM_EINVAL, "segment", "no segment '%s'", m->segment_id);
	snprintf(m->segment_id, sizeof(m->segment_id), "%s", s.id);
	lm_segment_release(&s);
	return 0;
}

static int marker_create_fn(struct lm_app *app, struct lm_conn *c, void *arg, char *object_id,
                            size_t object_id_len, struct lm_error *err)
{
	struct lm_marker m = *(const struct lm_marker *)arg;
	int rc;

	if ((rc = resolve_segment(app, c, &m, err)))
		return rc;
	lm_uuid_v7(m.id);
	m.created_at = m.updated_at = lm_time_now();
	m.version = 1;
	snprintf(object_id, object_id_len, "%s", m.pillar);
	return lm__qs(app, c, lm_store_marker_insert(c, &m), "a marker with this pillar number",
	              err);
}

int lm_app_marker_create(struct lm_app *app, const struct lm_actor *a,
                         const struct lm_idem_req *idem, const struct lm_marker *in,
                         struct lm_created *out, struct lm_error *err)
{
	struct lm__write w = {"marker.create", "marker", idem, marker_create_fn, (void *)in, 0};
	int rc;

	if ((rc = lm__require(app, a, LM_PERM_REGISTRY_WRITE, w.action, w.object_type, in->pillar,
	                      err)) ||
	    (rc = check_marker(in, err)))
		return rc;
	return lm__write(app, a, &w, out, err);
}

int lm_app_marker_get(struct lm_app *app, const struct lm_actor *a, const char *key_in,
                      struct lm_marker *out, struct lm_error *err)
{
	REGISTRY_GET(app, a, "marker", "marker", key_in, lm_store_marker_get);
}

int lm_app_marker_list(struct lm_app *app, const struct lm_actor *a, const struct lm_page *pg,
                       int (*cb)(void *ctx, const struct lm_marker *m), void *ctx,
                       struct lm_error *err)
{
	REGISTRY_LIST(app, a, "markers", "marker", lm_store_marker_list);
}

static int marker_update_fn(struct lm_app *app, struct lm_conn *c, void *arg, char *object_id,
                            size_t object_id_len, struct lm_error *err)
{
	const struct versioned *v = arg;
	struct lm_marker m = *(const struct lm_marker *)v->rec, cur;
	enum lm_qs qs;
	int rc;

	qs = lm_store_marker_get(c, m.id[0] ? m.id : m.pillar, &cur);
	if ((rc = lm__qs(app, c, qs, "marker", err)))
		return rc;
	if (qs == LM_QS_NONE)
		return lm_error_set(err, LM_ENOTFOUND, "", "no marker %s", m.pillar);
	snprintf(object_id, object_id_len, "%s", cur.pillar);
	if ((rc = resolve_segment(app, c, &m, err)))
		return rc;
	memcpy(m.id, cur.id, sizeof(m.id));
	m.created_at = cur.created_at;
	m.updated_at = lm_time_now();
	qs = lm_store_marker_update(c, &m, v->expect_version);
	if ((rc = lm__qs(app, c, qs, "marker", err)))
		return rc;
	if (qs == LM_QS_NONE)
		return lm_error_set(err, LM_ESTALE, "If-Match",
		                    "marker %s changed since version %lld was read", m.pillar,
		                    (long long)v->expect_version);
	return 0;
}

int lm_app_marker_update(struct lm_app *app, const struct lm_actor *a, const struct lm_marker *in,
                         int64_t expect_version, struct lm_error *err)
{
	struct versioned v = {in, expect_version};
	struct lm__write w = {"marker.update", "marker", NULL, marker_update_fn, &v, 0};
	struct lm_created out;
	int rc;

	if ((rc = lm__require(app, a, LM_PERM_REGISTRY_WRITE, w.action, w.object_type, in->pillar,
	                      err)) ||
	    (rc = check_marker(in, err)))
		return rc;
	return lm__write(app, a, &w, &out, err);
}

/* Clocks at remote posts drift; a few minutes ahead is not an error. */
#define LM_CLOCK_SKEW_MS (5LL * 60 * 1000)

static int inspection_fn(struct lm_app *app, struct lm_conn *c, void *arg, char *object_id,
                         size_t object_id_len, struct lm_error *err)
{
	struct lm_inspection *i = arg; /* updated in place: the caller answers with it */
	struct lm_marker m;
	lm_time_ms latest = LM_TIME_NONE;
	enum lm_qs qs;
	int rc;

	qs = lm_store_marker_get(c, i->marker_id, &m);
	if ((rc = lm__qs(app, c, qs, "marker", err)))
		return rc;
	if (qs == LM_QS_NONE)
		return lm_error_set(err, LM_ENOTFOUND, "", "no marker %s", i->marker_id);
	memcpy(i->marker_id, m.id, sizeof(i->marker_id));
	/* A patrol's report that arrives after a newer one (a post that was offline)
	 * goes into the history but does not overwrite the newer finding. */
	qs = lm_store_inspection_latest(c, m.id, &latest);
	if ((rc = lm__qs(app, c, qs, "inspections", err)))
		return rc;
	lm_uuid_v7(i->id);
	i->created_at = lm_time_now();
	snprintf(object_id, object_id_len, "%s", i->id);
	if ((rc = lm__qs(app, c, lm_store_inspection_insert(c, i), "inspection", err)))
		return rc;
	if (qs == LM_QS_ONE && i->inspected_at < latest)
		return 0;
	qs = lm_store_marker_set_condition(c, m.id, i->condition, i->created_at, m.version);
	if ((rc = lm__qs(app, c, qs, "marker", err)))
		return rc;
	return qs == LM_QS_NONE ? LM_EBUSY : 0;
}

int lm_app_inspection_add(struct lm_app *app, const struct lm_actor *a,
                          const struct lm_idem_req *idem, struct lm_inspection *in,
                          struct lm_created *out, struct lm_error *err)
{
	struct lm_inspection i = *in;
	struct lm__write w = {"inspection.create", "inspection", idem, inspection_fn, &i, 0};
	int rc;

	if ((rc = lm__require(app, a, LM_PERM_INSPECTION_WRITE, w.action, w.object_type,
	                      in->marker_id, err)) ||
	    (rc = lm__check_text(in->note, LM_TEXT_MAX, 0, "note", err)))
		return rc;
	if (in->condition < LM_MARKER_INTACT || in->condition > LM_MARKER_DISPLACED)
		return lm_error_set(err, LM_EINVAL, "condition",
		                    "must be intact, damaged, missing or displaced");
	if (in->inspected_at > lm_time_now() + LM_CLOCK_SKEW_MS)
		return lm_error_set(err, LM_EINVAL, "inspected_at", "is in the future");
	snprintf(i.inspector_id, sizeof(i.inspector_id), "%s", a->user_id);
	rc = lm__write(app, a, &w, out, err);
	if (rc == 0 && !out->replayed)
		*in = i;
	return rc;
}

int lm_app_inspection_list(struct lm_app *app, const struct lm_actor *a, const char *marker_key,
                           int (*cb)(void *ctx, const struct lm_inspection *i), void *ctx,
                           struct lm_error *err)
{
	struct lm_marker m;
	struct lm_conn *c;
	enum lm_qs qs;
	int rc;

	if ((rc = lm__require(app, a, LM_PERM_REGISTRY_READ, "inspection.list", "marker",
	                      marker_key, err)))
		return rc;
	c = lm_store_acquire(app->st, LM_CONN_READ);
	qs = lm_store_marker_get(c, marker_key, &m);
	rc = lm__qs(app, c, qs, "marker", err);
	if (!rc && qs == LM_QS_NONE)
		rc = lm_error_set(err, LM_ENOTFOUND, "", "no marker %s", marker_key);
	if (!rc)
		rc = lm__qs(app, c, lm_store_inspection_list(c, m.id, cb, ctx), "inspections", err);
	lm_store_release(c);
	return rc;
}

/* ---- deletes ---------------------------------------------------------------------- */

struct registry_delete {
	enum lm_registry_kind kind;
	const char *key;
	int64_t expect_version;
};

static int registry_delete_fn(struct lm_app *app, struct lm_conn *c, void *arg, char *object_id,
                              size_t object_id_len, struct lm_error *err)
{
	static const char *const what[] = {
	    [LM_REG_POINT] = "crossing point",
	    [LM_REG_SEGMENT] = "segment",
	    [LM_REG_MARKER] = "marker",
	};
	const struct registry_delete *d = arg;
	char id[LM_UUID_STRLEN] = "", natural[LM_CODE_MAX + 1] = "";
	enum lm_qs qs;
	int rc;

	/* Resolve the code or pillar to the id inside the transaction. */
	if (d->kind == LM_REG_POINT) {
		struct lm_crossing_point p;
		qs = lm_store_point_get(c, d->key, &p);
		if (qs == LM_QS_ONE) {
			memcpy(id, p.id, sizeof(id));
			snprintf(natural, sizeof(natural), "%s", p.code);
		}
	} else if (d->kind == LM_REG_SEGMENT) {
		struct lm_segment s;
		qs = lm_store_segment_get(c, d->key, &s);
		if (qs == LM_QS_ONE) {
			memcpy(id, s.id, sizeof(id));
			snprintf(natural, sizeof(natural), "%s", s.code);
			lm_segment_release(&s);
		}
	} else {
		struct lm_marker m;
		qs = lm_store_marker_get(c, d->key, &m);
		if (qs == LM_QS_ONE) {
			memcpy(id, m.id, sizeof(id));
			snprintf(natural, sizeof(natural), "%s", m.pillar);
		}
	}
	if ((rc = lm__qs(app, c, qs, what[d->kind], err)))
		return rc;
	if (qs == LM_QS_NONE)
		return lm_error_set(err, LM_ENOTFOUND, "", "no %s %s", what[d->kind], d->key);
	snprintf(object_id, object_id_len, "%s", natural);
	qs = lm_store_registry_delete(c, d->kind, id, d->expect_version);
	if ((rc = lm__qs(app, c, qs, what[d->kind], err)))
		return rc;
	if (qs == LM_QS_NONE)
		return lm_error_set(err, LM_ESTALE, "If-Match",
		                    "%s %s changed since version %lld was read", what[d->kind],
		                    natural, (long long)d->expect_version);
	return 0;
}

int lm_app_registry_delete(struct lm_app *app, const struct lm_actor *a, enum lm_registry_kind kind,
                           const char *key, int64_t expect_version, struct lm_error *err)
{
	static const char *const actions[] = {
	    [LM_REG_POINT] = "crossing_point.delete",
	    [LM_REG_SEGMENT] = "segment.delete",
	    [LM_REG_MARKER] = "marker.delete",
	};
	static const char *const types[] = {
	    [LM_REG_POINT] = "crossing_point",
	    [LM_REG_SEGMENT] = "segment",
	    [LM_REG_MARKER] = "marker",
	};
	struct registry_delete d = {kind, key, expect_version};
	struct lm__write w;
	struct lm_created out;
	int rc;

	if (kind < LM_REG_POINT || kind > LM_REG_MARKER)
		LM_BUG("unknown registry kind");
	w = (struct lm__write){
	    actions[kind],      types[kind], NULL,
	    registry_delete_fn, &d,          kind == LM_REG_POINT ? LM__INV_POINTS : 0};
	if ((rc = lm__require(app, a, LM_PERM_REGISTRY_WRITE, w.action, w.object_type, key, err)))
		return rc;
	return lm__write(app, a, &w, &out, err);
}
