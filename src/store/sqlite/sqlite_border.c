/*
 * sqlite_border.c - the border registry: crossing points and their status
 * history, border segments, boundary markers and their inspections.
 *
 * Same shape as sqlite_users.c: a *_read() per record in *_COLS order, and
 * wrappers adapting it to lm__sq_each(). Updates are compare-and-set on
 * version: 0 rows changed means the row is gone or was changed by someone
 * else since the caller read it, and the caller cannot tell which without a
 * fresh read (app/ answers 412 either way, or 404 after that read).
 */
#include "store/sqlite/sqlite_int.h"

#include <string.h>

/* ---- crossing points --------------------------------------------------- */

#define POINT_COLS                                                                                 \
	"id, code, name, name_other, country, country_other, kind, modes, lanes, lon, lat,"        \
	" position_approximate, tz, hours, capacity_trucks_per_day, capacity_persons_per_day,"     \
	" note, created_at, updated_at, version"

static int point_read(struct sq_conn *c, sqlite3_stmt *st, struct lm_crossing_point *p)
{
	struct sq_row r;

	memset(p, 0, sizeof(*p));
	lm__sq_row_start(&r, st);
	SQ_R_TEXT(&r, p->id);
	SQ_R_TEXT(&r, p->code);
	SQ_R_TEXT(&r, p->name);
	SQ_R_TEXT(&r, p->name_other);
	SQ_R_TEXT(&r, p->country);
	SQ_R_TEXT(&r, p->country_other);
	SQ_R_TEXT(&r, p->kind);
	p->modes = (unsigned)lm__sq_r_int(&r);
	p->lanes = (int)lm__sq_r_int(&r);
	p->lon = lm__sq_r_double(&r);
	p->lat = lm__sq_r_double(&r);
	p->position_approximate = (int)lm__sq_r_int(&r);
	SQ_R_TEXT(&r, p->tz);
	SQ_R_TEXT(&r, p->hours);
	p->capacity_trucks_per_day = (int)lm__sq_r_int(&r);
	p->capacity_persons_per_day = (int)lm__sq_r_int(&r);
	SQ_R_TEXT(&r, p->note);
	p->created_at = lm__sq_r_int(&r);
	p->updated_at = lm__sq_r_int(&r);
	p->version = lm__sq_r_int(&r);
	return lm__sq_row_end(c, &r);
}

SQ_ROW_INTO(point, struct lm_crossing_point)

SQ_ROW_EACH(point, struct lm_crossing_point)

/* The columns an insert and an update both write, in POINT_COLS order from code on. */
static void point_bind_fields(struct sq_bind *b, const struct lm_crossing_point *p)
{
	SQ_B_TEXT(b, p->code);
	SQ_B_TEXT(b, p->name);
	SQ_B_TEXT(b, p->name_other);
	SQ_B_TEXT(b, p->country);
	SQ_B_TEXT(b, p->country_other);
	SQ_B_TEXT(b, p->kind);
	lm__sq_b_int(b, p->modes);
	lm__sq_b_int(b, p->lanes);
	lm__sq_b_double(b, p->lon);
	lm__sq_b_double(b, p->lat);
	lm__sq_b_int(b, p->position_approximate != 0);
	SQ_B_TEXT(b, p->tz);
	SQ_B_TEXT(b, p->hours);
	lm__sq_b_int(b, p->capacity_trucks_per_day);
	lm__sq_b_int(b, p->capacity_persons_per_day);
	SQ_B_TEXT(b, p->note);
}

enum lm_qs lm__sq_point_insert(struct lm_conn *conn, const struct lm_crossing_point *p)
{
	struct sq_conn *c = lm__sq_conn(conn);
	sqlite3_stmt *st = lm__sq_stmt(c, SQ_POINT_INSERT,
	                               "INSERT INTO crossing_points (" POINT_COLS ")"
	                               " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
	                               " ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)");
	struct sq_bind b;
	enum lm_qs qs;

	if (!st)
		return LM_QS_HARD;
	lm__sq_bind_start(&b, c, st);
	SQ_B_TEXT(&b, p->id);
	point_bind_fields(&b, p);
	lm__sq_b_int(&b, p->created_at);
	lm__sq_b_int(&b, p->updated_at);
	if ((qs = lm__sq_bind_end(&b)) < 0)
		return qs;
	return lm__sq_run(c, st);
}

enum lm_qs lm__sq_point_get(struct lm_conn *conn, const char *id_or_code,
                            struct lm_crossing_point *out)
{
	struct sq_conn *c = lm__sq_conn(conn);
	char id[LM_UUID_STRLEN];

	if (lm__sq_is_id(id_or_code, id))
		return lm__sq_get(c,
		                  lm__sq_stmt(c, SQ_POINT_BY_ID,
		                              "SELECT " POINT_COLS
		                              " FROM crossing_points WHERE id = ?"),
		                  id, point_into, out);
	return lm__sq_get(c,
	                  lm__sq_stmt(c, SQ_POINT_BY_CODE,
	                              "SELECT " POINT_COLS " FROM crossing_points WHERE code = ?"),
	                  id_or_code, point_into, out);
}

enum lm_qs lm__sq_point_update(struct lm_conn *conn, const struct lm_crossing_point *p,
                               int64_t expect_version)
{
	struct sq_conn *c = lm__sq_conn(conn);
	sqlite3_stmt *st = lm__sq_stmt(
	    c, SQ_POINT_UPDATE,
	    "UPDATE crossing_points SET code = ?, name = ?, name_other = ?, country = ?,"
	    " country_other = ?, kind = ?, modes = ?, lanes = ?, lon = ?, lat = ?,"
	    " position_approximate = ?, tz = ?, hours = ?, capacity_trucks_per_day = ?,"
	    " capacity_persons_per_day = ?, note = ?, updated_at = ?, version = version + 1"
	    " WHERE id = ? AND version = ?");
	struct sq_bind b;
	enum lm_qs qs;

	if (!st)
		return LM_QS_HARD;
	lm__sq_bind_start(&b, c, st);
	point_bind_fields(&b, p);
	lm__sq_b_int(&b, p->updated_at);
	SQ_B_TEXT(&b, p->id);
	lm__sq_b_int(&b, expect_version);
	if ((qs = lm__sq_bind_end(&b)) < 0)
		return qs;
	return lm__sq_run(c, st);
}

enum lm_qs lm__sq_point_list(struct lm_conn *conn, const struct lm_page *pg,
                             int (*cb)(void *ctx, const struct lm_crossing_point *p), void *ctx)
{
	struct sq_conn *c = lm__sq_conn(conn);
	struct point_iter it = {cb, ctx};

	return lm__sq_list(c,
	                   lm__sq_stmt(c, SQ_POINT_LIST,
	                               "SELECT " POINT_COLS " FROM crossing_points"
	                               " WHERE code > ? ORDER BY code LIMIT ?"),
	                   pg, point_each, &it);
}

/* ---- status history ---------------------------------------------------- */

#define STATUS_COLS                                                                                \
	"id, point_id, state, directions, modes, goods, reason, set_by, from_ms, until_ms,"        \
	" created_at"

static int status_read(struct sq_conn *c, sqlite3_stmt *st, struct lm_status_change *s)
{
	struct sq_row r;

	memset(s, 0, sizeof(*s));
	lm__sq_row_start(&r, st);
	SQ_R_TEXT(&r, s->id);
	SQ_R_TEXT(&r, s->point_id);
	s->state = (enum lm_cp_state)lm__sq_r_int(&r);
	s->directions = (unsigned)lm__sq_r_int(&r);
	s->modes = (unsigned)lm__sq_r_int(&r);
	SQ_R_TEXT(&r, s->goods);
	SQ_R_TEXT(&r, s->reason);
	SQ_R_TEXT(&r, s->set_by);
	s->from = lm__sq_r_int(&r);
	s->until = lm__sq_r_time(&r);
	s->created_at = lm__sq_r_int(&r);
	return lm__sq_row_end(c, &r);
}

SQ_ROW_EACH(status, struct lm_status_change)

enum lm_qs lm__sq_status_insert(struct lm_conn *conn, const struct lm_status_change *s)
{
	struct sq_conn *c = lm__sq_conn(conn);
	sqlite3_stmt *st = lm__sq_stmt(c, SQ_STATUS_INSERT,
	                               "INSERT INTO status_changes (" STATUS_COLS ")"
	                               " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	struct sq_bind b;
	enum lm_qs qs;

	if (!st)
		return LM_QS_HARD;
	lm__sq_bind_start(&b, c, st);
	SQ_B_TEXT(&b, s->id);
	SQ_B_TEXT(&b, s->point_id);
	lm__sq_b_int(&b, s->state);
	lm__sq_b_int(&b, s->directions);
	lm__sq_b_int(&b, s->modes);
	SQ_B_TEXT(&b, s->goods);
	SQ_B_TEXT(&b, s->reason);
	SQ_B_REF(&b, s->set_by);
	lm__sq_b_int(&b, s->from);
	lm__sq_b_time(&b, s->until);
	lm__sq_b_int(&b, s->created_at);
	if ((qs = lm__sq_bind_end(&b)) < 0)
		return qs;
	return lm__sq_run(c, st);
}

enum lm_qs lm__sq_status_list(struct lm_conn *conn, const char *point_id,
                              int (*cb)(void *ctx, const struct lm_status_change *s), void *ctx)
{
	struct sq_conn *c = lm__sq_conn(conn);
	struct status_iter it = {cb, ctx};

	/* id last: two changes with the same from and created_at still list in a fixed order. */
	return lm__sq_get(c,
	                  lm__sq_stmt(c, SQ_STATUS_LIST,
	                              "SELECT " STATUS_COLS
	                              " FROM status_changes WHERE point_id = ?"
	                              " ORDER BY from_ms, created_at, id"),
	                  point_id, status_each, &it);
}

/* ---- segments ---------------------------------------------------------- */

#define SEGMENT_COLS                                                                               \
	"id, code, name, country_a, country_b, wkt, length_m, note, created_at, updated_at,"       \
	" version"

/*
 * Fill s from the row; s->wkt borrows SQLite's copy of the text, valid until
 * the statement steps again or is reset. Lists pass that on as is (the
 * callback's wkt is borrowed); a lookup copies it.
 */
static int segment_read(struct sq_conn *c, sqlite3_stmt *st, struct lm_segment *s)
{
	struct sq_row r;
	size_t len;

	memset(s, 0, sizeof(*s));
	lm__sq_row_start(&r, st);
	SQ_R_TEXT(&r, s->id);
	SQ_R_TEXT(&r, s->code);
	SQ_R_TEXT(&r, s->name);
	SQ_R_TEXT(&r, s->country_a);
	SQ_R_TEXT(&r, s->country_b);
	/* The struct's wkt is not const because a lookup hands the caller its own copy. */
	s->wkt = (char *)lm__sq_r_borrow(&r, &len);
	s->length_m = lm__sq_r_double(&r);
	SQ_R_TEXT(&r, s->note);
	s->created_at = lm__sq_r_int(&r);
	s->updated_at = lm__sq_r_int(&r);
	s->version = lm__sq_r_int(&r);
	return lm__sq_row_end(c, &r);
}

static int segment_into(struct sq_conn *c, sqlite3_stmt *st, void *out)
{
	struct lm_segment *s = out;
	char *wkt;

	if (segment_read(c, st, s)) {
		s->wkt = NULL; /* never leave the caller a borrowed pointer */
		return -1;
	}
	wkt = strdup(s->wkt);
	if (!wkt) {
		s->wkt = NULL;
		lm__sq_fail(c, "out of memory copying a segment's geometry");
		return -1;
	}
	s->wkt = wkt;
	return 0;
}

SQ_ROW_EACH(segment, struct lm_segment)

/* wkt has no fixed field: its length is whatever core/geo accepted. */
static void bind_wkt(struct sq_bind *b, const char *wkt)
{
	lm__sq_b_text(b, wkt, wkt ? strlen(wkt) + 1 : 0);
}

enum lm_qs lm__sq_segment_insert(struct lm_conn *conn, const struct lm_segment *s)
{
	struct sq_conn *c = lm__sq_conn(conn);
	sqlite3_stmt *st = lm__sq_stmt(c, SQ_SEGMENT_INSERT,
	                               "INSERT INTO segments (" SEGMENT_COLS ")"
	                               " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)");
	struct sq_bind b;
	enum lm_qs qs;

	if (!st)
		return LM_QS_HARD;
	lm__sq_bind_start(&b, c, st);
	SQ_B_TEXT(&b, s->id);
	SQ_B_TEXT(&b, s->code);
	SQ_B_TEXT(&b, s->name);
	SQ_B_TEXT(&b, s->country_a);
	SQ_B_TEXT(&b, s->country_b);
	bind_wkt(&b, s->wkt);
	lm__sq_b_double(&b, s->length_m);
	SQ_B_TEXT(&b, s->note);
	lm__sq_b_int(&b, s->created_at);
	lm__sq_b_int(&b, s->updated_at);
	if ((qs = lm__sq_bind_end(&b)) < 0)
		return qs;
	return lm__sq_run(c, st);
}

enum lm_qs lm__sq_segment_get(struct lm_conn *conn, const char *id_or_code, struct lm_segment *out)
{
	struct sq_conn *c = lm__sq_conn(conn);
	char id[LM_UUID_STRLEN];

	if (lm__sq_is_id(id_or_code, id))
		return lm__sq_get(c,
		                  lm__sq_stmt(c, SQ_SEGMENT_BY_ID,
		                              "SELECT " SEGMENT_COLS " FROM segments WHERE id = ?"),
		                  id, segment_into, out);
	return lm__sq_get(c,
	                  lm__sq_stmt(c, SQ_SEGMENT_BY_CODE,
	                              "SELECT " SEGMENT_COLS " FROM segments WHERE code = ?"),
	                  id_or_code, segment_into, out);
}

enum lm_qs lm__sq_segment_update(struct lm_conn *conn, const struct lm_segment *s,
                                 int64_t expect_version)
{
	struct sq_conn *c = lm__sq_conn(conn);
	sqlite3_stmt *st = lm__sq_stmt(c, SQ_SEGMENT_UPDATE,
	                               "UPDATE segments SET code = ?, name = ?, country_a = ?,"
	                               " country_b = ?, wkt = ?, length_m = ?, note = ?,"
	                               " updated_at = ?, version = version + 1"
	                               " WHERE id = ? AND version = ?");
	struct sq_bind b;
	enum lm_qs qs;

	if (!st)
		return LM_QS_HARD;
	lm__sq_bind_start(&b, c, st);
	SQ_B_TEXT(&b, s->code);
	SQ_B_TEXT(&b, s->name);
	SQ_B_TEXT(&b, s->country_a);
	SQ_B_TEXT(&b, s->country_b);
	bind_wkt(&b, s->wkt);
	lm__sq_b_double(&b, s->length_m);
	SQ_B_TEXT(&b, s->note);
	lm__sq_b_int(&b, s->updated_at);
	SQ_B_TEXT(&b, s->id);
	lm__sq_b_int(&b, expect_version);
	if ((qs = lm__sq_bind_end(&b)) < 0)
		return qs;
	return lm__sq_run(c, st);
}

enum lm_qs lm__sq_segment_list(struct lm_conn *conn, const struct lm_page *pg,
                               int (*cb)(void *ctx, const struct lm_segment *s), void *ctx)
{
	struct sq_conn *c = lm__sq_conn(conn);
	struct segment_iter it = {cb, ctx};

	return lm__sq_list(c,
	                   lm__sq_stmt(c, SQ_SEGMENT_LIST,
	                               "SELECT " SEGMENT_COLS " FROM segments"
	                               " WHERE code > ? ORDER BY code LIMIT ?"),
	                   pg, segment_each, &it);
}

/* ---- markers ----------------------------------------------------------- */

#define MARKER_COLS                                                                                \
	"id, pillar, segment_id, lon, lat, condition, note, created_at, updated_at, version"

static int marker_read(struct sq_conn *c, sqlite3_stmt *st, struct lm_marker *m)
{
	struct sq_row r;

	memset(m, 0, sizeof(*m));
	lm__sq_row_start(&r, st);
	SQ_R_TEXT(&r, m->id);
	SQ_R_TEXT(&r, m->pillar);
	SQ_R_TEXT(&r, m->segment_id);
	m->lon = lm__sq_r_double(&r);
	m->lat = lm__sq_r_double(&r);
	m->condition = (enum lm_marker_condition)lm__sq_r_int(&r);
	SQ_R_TEXT(&r, m->note);
	m->created_at = lm__sq_r_int(&r);
	m->updated_at = lm__sq_r_int(&r);
	m->version = lm__sq_r_int(&r);
	return lm__sq_row_end(c, &r);
}

SQ_ROW_INTO(marker, struct lm_marker)

SQ_ROW_EACH(marker, struct lm_marker)

enum lm_qs lm__sq_marker_insert(struct lm_conn *conn, const struct lm_marker *m)
{
	struct sq_conn *c = lm__sq_conn(conn);
	sqlite3_stmt *st = lm__sq_stmt(c, SQ_MARKER_INSERT,
	                               "INSERT INTO markers (" MARKER_COLS ")"
	                               " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1)");
	struct sq_bind b;
	enum lm_qs qs;

	if (!st)
		return LM_QS_HARD;
	lm__sq_bind_start(&b, c, st);
	SQ_B_TEXT(&b, m->id);
	SQ_B_TEXT(&b, m->pillar);
	SQ_B_REF(&b, m->segment_id);
	lm__sq_b_double(&b, m->lon);
	lm__sq_b_double(&b, m->lat);
	lm__sq_b_int(&b, m->condition);
	SQ_B_TEXT(&b, m->note);
	lm__sq_b_int(&b, m->created_at);
	lm__sq_b_int(&b, m->updated_at);
	if ((qs = lm__sq_bind_end(&b)) < 0)
		return qs;
	return lm__sq_run(c, st);
}

enum lm_qs lm__sq_marker_get(struct lm_conn *conn, const char *id_or_pillar, struct lm_marker *out)
{
	struct sq_conn *c = lm__sq_conn(conn);
	char id[LM_UUID_STRLEN];

	if (lm__sq_is_id(id_or_pillar, id))
		return lm__sq_get(c,
		                  lm__sq_stmt(c, SQ_MARKER_BY_ID,
		                              "SELECT " MARKER_COLS " FROM markers WHERE id = ?"),
		                  id, marker_into, out);
	return lm__sq_get(c,
	                  lm__sq_stmt(c, SQ_MARKER_BY_PILLAR,
	                              "SELECT " MARKER_COLS " FROM markers WHERE pillar = ?"),
	                  id_or_pillar, marker_into, out);
}

enum lm_qs lm__sq_marker_update(struct lm_conn *conn, const struct lm_marker *m,
                                int64_t expect_version)
{
	struct sq_conn *c = lm__sq_conn(conn);
	sqlite3_stmt *st =
	    lm__sq_stmt(c, SQ_MARKER_UPDATE,
	                "UPDATE markers SET pillar = ?, segment_id = ?, lon = ?, lat = ?,"
	                " condition = ?, note = ?, updated_at = ?, version = version + 1"
	                " WHERE id = ? AND version = ?");
	struct sq_bind b;
	enum lm_qs qs;

	if (!st)
		return LM_QS_HARD;
	lm__sq_bind_start(&b, c, st);
	SQ_B_TEXT(&b, m->pillar);
	SQ_B_REF(&b, m->segment_id);
	lm__sq_b_double(&b, m->lon);
	lm__sq_b_double(&b, m->lat);
	lm__sq_b_int(&b, m->condition);
	SQ_B_TEXT(&b, m->note);
	lm__sq_b_int(&b, m->updated_at);
	SQ_B_TEXT(&b, m->id);
	lm__sq_b_int(&b, expect_version);
	if ((qs = lm__sq_bind_end(&b)) < 0)
		return qs;
	return lm__sq_run(c, st);
}

enum lm_qs lm__sq_marker_set_condition(struct lm_conn *conn, const char *id,
                                       enum lm_marker_condition condition, lm_time_ms at,
                                       int64_t expect_version)
{
	struct sq_conn *c = lm__sq_conn(conn);
	sqlite3_stmt *st = lm__sq_stmt(c, SQ_MARKER_SET_CONDITION,
	                               "UPDATE markers SET condition = ?, updated_at = ?,"
	                               " version = version + 1 WHERE id = ? AND version = ?");
	struct sq_bind b;
	enum lm_qs qs;

	if (!st)
		return LM_QS_HARD;
	lm__sq_bind_start(&b, c, st);
	lm__sq_b_int(&b, condition);
	lm__sq_b_int(&b, at);
	lm__sq_b_text(&b, id, LM_UUID_STRLEN); /* a pointer: SQ_B_TEXT would take its size */
	lm__sq_b_int(&b, expect_version);
	if ((qs = lm__sq_bind_end(&b)) < 0)
		return qs;
	return lm__sq_run(c, st);
}

enum lm_qs lm__sq_marker_list(struct lm_conn *conn, const struct lm_page *pg,
                              int (*cb)(void *ctx, const struct lm_marker *m), void *ctx)
{
	struct sq_conn *c = lm__sq_conn(conn);
	struct marker_iter it = {cb, ctx};

	return lm__sq_list(c,
	                   lm__sq_stmt(c, SQ_MARKER_LIST,
	                               "SELECT " MARKER_COLS " FROM markers"
	                               " WHERE pillar > ? ORDER BY pillar LIMIT ?"),
	                   pg, marker_each, &it);
}

/* ---- inspections ------------------------------------------------------- */

#define INSPECTION_COLS "id, marker_id, inspected_at, inspector_id, condition, note, created_at"

static int inspection_read(struct sq_conn *c, sqlite3_stmt *st, struct lm_inspection *i)
{
	struct sq_row r;

	memset(i, 0, sizeof(*i));
	lm__sq_row_start(&r, st);
	SQ_R_TEXT(&r, i->id);
	SQ_R_TEXT(&r, i->marker_id);
	i->inspected_at = lm__sq_r_int(&r);
	SQ_R_TEXT(&r, i->inspector_id);
	i->condition = (enum lm_marker_condition)lm__sq_r_int(&r);
	SQ_R_TEXT(&r, i->note);
	i->created_at = lm__sq_r_int(&r);
	return lm__sq_row_end(c, &r);
}

SQ_ROW_EACH(inspection, struct lm_inspection)

enum lm_qs lm__sq_inspection_insert(struct lm_conn *conn, const struct lm_inspection *i)
{
	struct sq_conn *c = lm__sq_conn(conn);
	sqlite3_stmt *st = lm__sq_stmt(c, SQ_INSPECTION_INSERT,
	                               "INSERT INTO inspections (" INSPECTION_COLS ")"
	                               " VALUES (?, ?, ?, ?, ?, ?, ?)");
	struct sq_bind b;
	enum lm_qs qs;

	if (!st)
		return LM_QS_HARD;
	lm__sq_bind_start(&b, c, st);
	SQ_B_TEXT(&b, i->id);
	SQ_B_TEXT(&b, i->marker_id);
	lm__sq_b_int(&b, i->inspected_at);
	SQ_B_REF(&b, i->inspector_id);
	lm__sq_b_int(&b, i->condition);
	SQ_B_TEXT(&b, i->note);
	lm__sq_b_int(&b, i->created_at);
	if ((qs = lm__sq_bind_end(&b)) < 0)
		return qs;
	return lm__sq_run(c, st);
}

enum lm_qs lm__sq_inspection_list(struct lm_conn *conn, const char *marker_id,
                                  int (*cb)(void *ctx, const struct lm_inspection *i), void *ctx)
{
	struct sq_conn *c = lm__sq_conn(conn);
	struct inspection_iter it = {cb, ctx};

	return lm__sq_get(c,
	                  lm__sq_stmt(c, SQ_INSPECTION_LIST,
	                              "SELECT " INSPECTION_COLS
	                              " FROM inspections WHERE marker_id = ?"
	                              " ORDER BY inspected_at, id"),
	                  marker_id, inspection_each, &it);
}

static int latest_into(struct sq_conn *c, sqlite3_stmt *st, void *out)
{
	(void)c;
	/* max() over no rows is one NULL row: "never inspected". */
	if (sqlite3_column_type(st, 0) == SQLITE_NULL)
		return 1;
	*(lm_time_ms *)out = sqlite3_column_int64(st, 0);
	return 0;
}

enum lm_qs lm__sq_inspection_latest(struct lm_conn *conn, const char *marker_id, lm_time_ms *at)
{
	struct sq_conn *c = lm__sq_conn(conn);
	lm_time_ms found = LM_TIME_NONE;
	enum lm_qs qs;

	/* Answered from the inspections_marker index (marker_id, inspected_at, id). */
	qs =
	    lm__sq_get(c,
	               lm__sq_stmt(c, SQ_INSPECTION_LATEST,
	                           "SELECT max(inspected_at) FROM inspections WHERE marker_id = ?"),
	               marker_id, latest_into, &found);
	if (qs < 0)
		return qs;
	if (found == LM_TIME_NONE)
		return LM_QS_NONE;
	*at = found;
	return LM_QS_ONE;
}

enum lm_qs lm__sq_registry_delete(struct lm_conn *conn, enum lm_registry_kind kind, const char *id,
                                  int64_t expect_version)
{
	/* Fixed statements per kind: nothing from the caller reaches the SQL text. */
	static const struct {
		enum sq_stmt_id stmt;
		const char *sql;
	} del[] = {
	    [LM_REG_POINT] = {SQ_POINT_DELETE,
	                      "DELETE FROM crossing_points WHERE id = ? AND version = ?"},
	    [LM_REG_SEGMENT] = {SQ_SEGMENT_DELETE,
	                        "DELETE FROM segments WHERE id = ? AND version = ?"},
	    [LM_REG_MARKER] = {SQ_MARKER_DELETE,
	                       "DELETE FROM markers WHERE id = ? AND version = ?"},
	};
	struct sq_conn *c = lm__sq_conn(conn);
	sqlite3_stmt *st;
	struct sq_bind b;
	enum lm_qs qs;

	if (kind < LM_REG_POINT || kind > LM_REG_MARKER)
		LM_BUG("unknown registry kind");
	if (!(st = lm__sq_stmt(c, del[kind].stmt, del[kind].sql)))
		return LM_QS_HARD;
	lm__sq_bind_start(&b, c, st);
	lm__sq_b_text(&b, id, LM_UUID_STRLEN);
	lm__sq_b_int(&b, expect_version);
	if ((qs = lm__sq_bind_end(&b)) < 0)
		return qs;
	qs = lm__sq_run(c, st);
	/* ON DELETE RESTRICT reports SQLITE_CONSTRAINT_TRIGGER, a deferred check
	 * SQLITE_CONSTRAINT_FOREIGNKEY: for a delete, any constraint means "referenced". */
	if (qs == LM_QS_HARD && (c->last_rc & 0xff) == SQLITE_CONSTRAINT)
		c->conflict = LM_CONFLICT_REFERENCED;
	return qs;
}
