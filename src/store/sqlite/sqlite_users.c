/*
 * sqlite_users.c - who may act: agencies, users and their crossing points,
 * login sessions, the audit trail and idempotency keys.
 *
 * Each record type has a *_read() that fills the struct from the current row
 * (column order = its *_COLS list), and thin wrappers that adapt it to
 * lm__sq_each() for lookups and lists.
 */
#include "store/sqlite/sqlite_int.h"

#include <string.h>

/* ---- agencies ---------------------------------------------------------- */

#define AGENCY_COLS "id, code, name, kind, country, created_at, version"

static int agency_read(struct sq_conn *c, sqlite3_stmt *st, struct lm_agency *a)
{
	struct sq_row r;

	memset(a, 0, sizeof(*a));
	lm__sq_row_start(&r, st);
	SQ_R_TEXT(&r, a->id);
	SQ_R_TEXT(&r, a->code);
	SQ_R_TEXT(&r, a->name);
	SQ_R_TEXT(&r, a->kind);
	SQ_R_TEXT(&r, a->country);
	a->created_at = lm__sq_r_int(&r);
	a->version = lm__sq_r_int(&r);
	return lm__sq_row_end(c, &r);
}

SQ_ROW_INTO(agency, struct lm_agency)

SQ_ROW_EACH(agency, struct lm_agency)

enum lm_qs lm__sq_agency_update(struct lm_conn *conn, const struct lm_agency *a,
                                int64_t expect_version)
{
	struct sq_conn *c = lm__sq_conn(conn);
	sqlite3_stmt *st = lm__sq_stmt(c, SQ_AGENCY_UPDATE,
	                               "UPDATE agencies SET name = ?, kind = ?, country = ?,"
	                               " version = version + 1 WHERE id = ? AND version = ?");
	struct sq_bind b;
	enum lm_qs qs;

	if (!st)
		return LM_QS_HARD;
	lm__sq_bind_start(&b, c, st);
	SQ_B_TEXT(&b, a->name);
	SQ_B_TEXT(&b, a->kind);
	SQ_B_TEXT(&b, a->country);
	SQ_B_TEXT(&b, a->id);
	lm__sq_b_int(&b, expect_version);
	if ((qs = lm__sq_bind_end(&b)) < 0)
		return qs;
	return lm__sq_run(c, st);
}

enum lm_qs lm__sq_agency_insert(struct lm_conn *conn, const struct lm_agency *a)
{
	struct sq_conn *c = lm__sq_conn(conn);
	sqlite3_stmt *st = lm__sq_stmt(c, SQ_AGENCY_INSERT,
	                               "INSERT INTO agencies (" AGENCY_COLS ")"
	                               " VALUES (?, ?, ?, ?, ?, ?, 1)");
	struct sq_bind b;
	enum lm_qs qs;

	if (!st)
		return LM_QS_HARD;
	lm__sq_bind_start(&b, c, st);
	SQ_B_TEXT(&b, a->id);
	SQ_B_TEXT(&b, a->code);
	SQ_B_TEXT(&b, a->name);
	SQ_B_TEXT(&b, a->kind);
	SQ_B_TEXT(&b, a->country);
	lm__sq_b_int(&b, a->created_at);
	if ((qs = lm__sq_bind_end(&b)) < 0)
		return qs;
	return lm__sq_run(c, st);
}

enum lm_qs lm__sq_agency_get(struct lm_conn *conn, const char *id_or_code, struct lm_agency *out)
{
	struct sq_conn *c = lm__sq_conn(conn);
	char id[LM_UUID_STRLEN];

	if (lm__sq_is_id(id_or_code, id))
		return lm__sq_get(c,
		                  lm__sq_stmt(c, SQ_AGENCY_BY_ID,
		                              "SELECT " AGENCY_COLS " FROM agencies WHERE id = ?"),
		                  id, agency_into, out);
	return lm__sq_get(c,
	                  lm__sq_stmt(c, SQ_AGENCY_BY_CODE,
	                              "SELECT " AGENCY_COLS " FROM agencies WHERE code = ?"),
	                  id_or_code, agency_into, out);
}

enum lm_qs lm__sq_agency_list(struct lm_conn *conn, const struct lm_page *pg,
                              int (*cb)(void *ctx, const struct lm_agency *a), void *ctx)
{
	struct sq_conn *c = lm__sq_conn(conn);
	struct agency_iter it = {cb, ctx};

	return lm__sq_list(c,
	                   lm__sq_stmt(c, SQ_AGENCY_LIST,
	                               "SELECT " AGENCY_COLS " FROM agencies"
	                               " WHERE id > ? ORDER BY id LIMIT ?"),
	                   pg, agency_each, &it);
}

/* ---- users ------------------------------------------------------------- */

#define USER_COLS                                                                                  \
	"id, username, display_name, agency_id, role, disabled, pw_hash, created_at, version"

static int user_read(struct sq_conn *c, sqlite3_stmt *st, struct lm_user *u)
{
	struct sq_row r;

	memset(u, 0, sizeof(*u));
	lm__sq_row_start(&r, st);
	SQ_R_TEXT(&r, u->id);
	SQ_R_TEXT(&r, u->username);
	SQ_R_TEXT(&r, u->display_name);
	SQ_R_TEXT(&r, u->agency_id);
	u->role = (enum lm_role)lm__sq_r_int(&r);
	u->disabled = (int)lm__sq_r_int(&r);
	SQ_R_TEXT(&r, u->pw_hash);
	u->created_at = lm__sq_r_int(&r);
	u->version = lm__sq_r_int(&r);
	return lm__sq_row_end(c, &r);
}

SQ_ROW_INTO(user, struct lm_user)

SQ_ROW_EACH(user, struct lm_user)

enum lm_qs lm__sq_user_insert(struct lm_conn *conn, const struct lm_user *u)
{
	struct sq_conn *c = lm__sq_conn(conn);
	sqlite3_stmt *st = lm__sq_stmt(c, SQ_USER_INSERT,
	                               "INSERT INTO users (" USER_COLS ")"
	                               " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)");
	struct sq_bind b;
	enum lm_qs qs;

	if (!st)
		return LM_QS_HARD;
	lm__sq_bind_start(&b, c, st);
	SQ_B_TEXT(&b, u->id);
	SQ_B_TEXT(&b, u->username);
	SQ_B_TEXT(&b, u->display_name);
	SQ_B_REF(&b, u->agency_id);
	lm__sq_b_int(&b, u->role);
	lm__sq_b_int(&b, u->disabled != 0);
	SQ_B_TEXT(&b, u->pw_hash);
	lm__sq_b_int(&b, u->created_at);
	if ((qs = lm__sq_bind_end(&b)) < 0)
		return qs;
	return lm__sq_run(c, st);
}

enum lm_qs lm__sq_user_get(struct lm_conn *conn, const char *id_or_username, struct lm_user *out)
{
	struct sq_conn *c = lm__sq_conn(conn);
	char id[LM_UUID_STRLEN];

	if (lm__sq_is_id(id_or_username, id))
		return lm__sq_get(
		    c,
		    lm__sq_stmt(c, SQ_USER_BY_ID, "SELECT " USER_COLS " FROM users WHERE id = ?"),
		    id, user_into, out);
	return lm__sq_get(c,
	                  lm__sq_stmt(c, SQ_USER_BY_USERNAME,
	                              "SELECT " USER_COLS " FROM users WHERE username = ?"),
	                  id_or_username, user_into, out);
}

enum lm_qs lm__sq_user_update(struct lm_conn *conn, const struct lm_user *u, int64_t expect_version)
{
	struct sq_conn *c = lm__sq_conn(conn);
	sqlite3_stmt *st =
	    lm__sq_stmt(c, SQ_USER_UPDATE,
	                "UPDATE users SET username = ?, display_name = ?, agency_id = ?,"
	                " role = ?, disabled = ?, pw_hash = ?, version = version + 1"
	                " WHERE id = ? AND version = ?");
	struct sq_bind b;
	enum lm_qs qs;

	if (!st)
		return LM_QS_HARD;
	lm__sq_bind_start(&b, c, st);
	SQ_B_TEXT(&b, u->username);
	SQ_B_TEXT(&b, u->display_name);
	SQ_B_REF(&b, u->agency_id);
	lm__sq_b_int(&b, u->role);
	lm__sq_b_int(&b, u->disabled != 0);
	SQ_B_TEXT(&b, u->pw_hash);
	SQ_B_TEXT(&b, u->id);
	lm__sq_b_int(&b, expect_version);
	if ((qs = lm__sq_bind_end(&b)) < 0)
		return qs;
	return lm__sq_run(c, st);
}

enum lm_qs lm__sq_user_list(struct lm_conn *conn, const struct lm_page *pg,
                            int (*cb)(void *ctx, const struct lm_user *u), void *ctx)
{
	struct sq_conn *c = lm__sq_conn(conn);
	struct user_iter it = {cb, ctx};

	return lm__sq_list(c,
	                   lm__sq_stmt(c, SQ_USER_LIST,
	                               "SELECT " USER_COLS " FROM users"
	                               " WHERE username > ? ORDER BY username LIMIT ?"),
	                   pg, user_each, &it);
}

/* ---- user <-> crossing points ------------------------------------------ */

static enum lm_qs savepoint(struct sq_conn *c, enum sq_stmt_id id, const char *sql)
{
	sqlite3_stmt *st = lm__sq_stmt(c, id, sql);

	return st ? lm__sq_run(c, st) : LM_QS_HARD;
}

static enum lm_qs points_replace(struct sq_conn *c, const char *user_id, const char *const *codes,
                                 size_t n)
{
	sqlite3_stmt *st;
	struct sq_bind b;
	enum lm_qs qs;

	st = lm__sq_stmt(c, SQ_USER_POINTS_CLEAR, "DELETE FROM user_points WHERE user_id = ?");
	if ((qs = lm__sq_run_key(c, st, user_id)) < 0)
		return qs;
	for (size_t i = 0; i < n; i++) {
		st = lm__sq_stmt(c, SQ_USER_POINTS_ADD,
		                 "INSERT INTO user_points (user_id, point_id)"
		                 " SELECT ?, id FROM crossing_points WHERE code = ?");
		if (!st)
			return LM_QS_HARD;
		lm__sq_bind_start(&b, c, st);
		lm__sq_b_text(&b, user_id, strlen(user_id) + 1);
		lm__sq_b_text(&b, codes[i], strlen(codes[i]) + 1);
		if ((qs = lm__sq_bind_end(&b)) < 0 || (qs = lm__sq_run(c, st)) < 0)
			return qs;
		if (qs == LM_QS_NONE)
			return lm__sq_fail(c, "no crossing point with code \"%.16s\"", codes[i]);
	}
	return (enum lm_qs)n;
}

enum lm_qs lm__sq_user_points_set(struct lm_conn *conn, const char *user_id,
                                  const char *const *codes, size_t n)
{
	struct sq_conn *c = lm__sq_conn(conn);
	enum lm_qs qs;
	int conflict;
	char msg[sizeof(c->errmsg)];

	/*
	 * A savepoint makes the replacement all-or-nothing whether or not the
	 * caller opened a transaction (it nests inside one).
	 */
	if ((qs = savepoint(c, SQ_SAVEPOINT, "SAVEPOINT user_points")) < 0)
		return qs;
	qs = points_replace(c, user_id, codes, n);
	if (qs >= 0)
		return savepoint(c, SQ_SAVEPOINT_RELEASE, "RELEASE user_points") < 0 ? LM_QS_HARD
		                                                                     : qs;
	/* Keep the error that matters, not the outcome of undoing it. */
	memcpy(msg, c->errmsg, sizeof(msg));
	conflict = c->conflict;
	savepoint(c, SQ_SAVEPOINT_ROLLBACK, "ROLLBACK TO user_points");
	savepoint(c, SQ_SAVEPOINT_RELEASE, "RELEASE user_points");
	memcpy(c->errmsg, msg, sizeof(msg));
	c->conflict = conflict;
	return qs;
}

struct code_iter {
	int (*cb)(void *ctx, const char *code);
	void *ctx;
};

static int code_each(struct sq_conn *c, sqlite3_stmt *st, void *arg)
{
	struct code_iter *it = arg;
	char code[LM_POINT_CODE_MAX + 1];
	struct sq_row r;

	lm__sq_row_start(&r, st);
	SQ_R_TEXT(&r, code);
	if (lm__sq_row_end(c, &r))
		return -1;
	return it->cb && it->cb(it->ctx, code) ? 1 : 0;
}

enum lm_qs lm__sq_user_points_list(struct lm_conn *conn, const char *user_id,
                                   int (*cb)(void *ctx, const char *code), void *ctx)
{
	struct sq_conn *c = lm__sq_conn(conn);
	struct code_iter it = {cb, ctx};

	return lm__sq_get(c,
	                  lm__sq_stmt(c, SQ_USER_POINTS_LIST,
	                              "SELECT p.code FROM user_points AS up"
	                              " JOIN crossing_points AS p ON p.id = up.point_id"
	                              " WHERE up.user_id = ? ORDER BY p.code"),
	                  user_id, code_each, &it);
}

/* ---- sessions ---------------------------------------------------------- */

#define SESSION_COLS "id, user_id, token_hash, created_at, expires_at, revoked_at, kind, label"

static int session_into(struct sq_conn *c, sqlite3_stmt *st, void *out)
{
	struct lm_session *s = out;
	struct sq_row r;

	memset(s, 0, sizeof(*s));
	lm__sq_row_start(&r, st);
	SQ_R_TEXT(&r, s->id);
	SQ_R_TEXT(&r, s->user_id);
	SQ_R_TEXT(&r, s->token_hash);
	s->created_at = lm__sq_r_int(&r);
	s->expires_at = lm__sq_r_int(&r);
	s->revoked_at = lm__sq_r_time(&r);
	s->kind = (enum lm_session_kind)lm__sq_r_int(&r);
	SQ_R_TEXT(&r, s->label);
	return lm__sq_row_end(c, &r);
}

enum lm_qs lm__sq_session_insert(struct lm_conn *conn, const struct lm_session *s)
{
	struct sq_conn *c = lm__sq_conn(conn);
	sqlite3_stmt *st =
	    lm__sq_stmt(c, SQ_SESSION_INSERT,
	                "INSERT INTO sessions (" SESSION_COLS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
	struct sq_bind b;
	enum lm_qs qs;

	if (!st)
		return LM_QS_HARD;
	lm__sq_bind_start(&b, c, st);
	SQ_B_TEXT(&b, s->id);
	SQ_B_TEXT(&b, s->user_id);
	SQ_B_TEXT(&b, s->token_hash);
	lm__sq_b_int(&b, s->created_at);
	lm__sq_b_int(&b, s->expires_at);
	lm__sq_b_time(&b, s->revoked_at);
	/* A caller that never heard of kinds made a login session. */
	lm__sq_b_int(&b, s->kind ? s->kind : LM_SESSION_LOGIN);
	SQ_B_TEXT(&b, s->label);
	if ((qs = lm__sq_bind_end(&b)) < 0)
		return qs;
	return lm__sq_run(c, st);
}

enum lm_qs lm__sq_session_by_hash(struct lm_conn *conn, const char *token_hash,
                                  struct lm_session *out)
{
	struct sq_conn *c = lm__sq_conn(conn);

	return lm__sq_get(c,
	                  lm__sq_stmt(c, SQ_SESSION_BY_HASH,
	                              "SELECT " SESSION_COLS " FROM sessions WHERE token_hash = ?"),
	                  token_hash, session_into, out);
}

/* UPDATE ... SET revoked_at = ?1 WHERE <key> = ?2: revoking twice keeps the first time. */
static enum lm_qs session_revoke(struct sq_conn *c, sqlite3_stmt *st, const char *key,
                                 lm_time_ms at)
{
	struct sq_bind b;
	enum lm_qs qs;

	if (!st)
		return LM_QS_HARD;
	lm__sq_bind_start(&b, c, st);
	lm__sq_b_int(&b, at);
	lm__sq_b_text(&b, key, strlen(key) + 1);
	if ((qs = lm__sq_bind_end(&b)) < 0)
		return qs;
	return lm__sq_run(c, st);
}

enum lm_qs lm__sq_session_revoke(struct lm_conn *conn, const char *id, lm_time_ms at)
{
	struct sq_conn *c = lm__sq_conn(conn);

	return session_revoke(c,
	                      lm__sq_stmt(c, SQ_SESSION_REVOKE,
	                                  "UPDATE sessions SET revoked_at = ?"
	                                  " WHERE id = ? AND revoked_at IS NULL"),
	                      id, at);
}

enum lm_qs lm__sq_session_revoke_user(struct lm_conn *conn, const char *user_id, lm_time_ms at)
{
	struct sq_conn *c = lm__sq_conn(conn);

	return session_revoke(c,
	                      lm__sq_stmt(c, SQ_SESSION_REVOKE_USER,
	                                  "UPDATE sessions SET revoked_at = ?"
	                                  " WHERE user_id = ? AND revoked_at IS NULL"),
	                      user_id, at);
}

/* ---- audit ------------------------------------------------------------- */

#define AUDIT_COLS                                                                                 \
	"id, at, user_id, username, role, agency_id, action, object_type, object_id, ip, purpose," \
	" request_id, outcome"

/*
 * Parameters shared by the three list statements, so one binding serves
 * whichever is chosen: ?1 after, ?2 limit, ?3 user_id, ?4 object_type,
 * ?5 object_id, ?6 from, ?7 until (NULL = no condition).
 */
#define AUDIT_RESIDUAL                                                                             \
	" AND (?3 IS NULL OR user_id = ?3) AND (?4 IS NULL OR object_type = ?4)"                   \
	" AND (?5 IS NULL OR object_id = ?5) AND (?6 IS NULL OR at >= ?6)"                         \
	" AND (?7 IS NULL OR at < ?7) ORDER BY id LIMIT ?2"

static int audit_read(struct sq_conn *c, sqlite3_stmt *st, struct lm_audit *a)
{
	struct sq_row r;

	memset(a, 0, sizeof(*a));
	lm__sq_row_start(&r, st);
	SQ_R_TEXT(&r, a->id);
	a->at = lm__sq_r_int(&r);
	SQ_R_TEXT(&r, a->user_id);
	SQ_R_TEXT(&r, a->username);
	a->role = (enum lm_role)lm__sq_r_int(&r);
	SQ_R_TEXT(&r, a->agency_id);
	SQ_R_TEXT(&r, a->action);
	SQ_R_TEXT(&r, a->object_type);
	SQ_R_TEXT(&r, a->object_id);
	SQ_R_TEXT(&r, a->ip);
	SQ_R_TEXT(&r, a->purpose);
	SQ_R_TEXT(&r, a->request_id);
	a->outcome = (int)lm__sq_r_int(&r);
	return lm__sq_row_end(c, &r);
}

SQ_ROW_EACH(audit, struct lm_audit)

enum lm_qs lm__sq_audit_append(struct lm_conn *conn, const struct lm_audit *a)
{
	struct sq_conn *c = lm__sq_conn(conn);
	sqlite3_stmt *st = lm__sq_stmt(c, SQ_AUDIT_APPEND,
	                               "INSERT INTO audit (" AUDIT_COLS ")"
	                               " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	struct sq_bind b;
	enum lm_qs qs;

	if (!st)
		return LM_QS_HARD;
	lm__sq_bind_start(&b, c, st);
	SQ_B_TEXT(&b, a->id);
	lm__sq_b_int(&b, a->at);
	SQ_B_TEXT(&b, a->user_id);
	SQ_B_TEXT(&b, a->username);
	lm__sq_b_int(&b, a->role);
	SQ_B_TEXT(&b, a->agency_id);
	SQ_B_TEXT(&b, a->action);
	SQ_B_TEXT(&b, a->object_type);
	SQ_B_TEXT(&b, a->object_id);
	SQ_B_TEXT(&b, a->ip);
	SQ_B_TEXT(&b, a->purpose);
	SQ_B_TEXT(&b, a->request_id);
	lm__sq_b_int(&b, a->outcome);
	if ((qs = lm__sq_bind_end(&b)) < 0)
		return qs;
	return lm__sq_run(c, st);
}

static void bind_opt(struct sq_bind *b, const char *s)
{
	lm__sq_b_text(b, s, s ? strlen(s) + 1 : 0);
}

enum lm_qs lm__sq_audit_list(struct lm_conn *conn, const struct lm_audit_filter *f,
                             const struct lm_page *pg,
                             int (*cb)(void *ctx, const struct lm_audit *a), void *ctx)
{
	static const struct lm_audit_filter any = {NULL, NULL, NULL, LM_TIME_NONE, LM_TIME_NONE};
	struct sq_conn *c = lm__sq_conn(conn);
	struct audit_iter it = {cb, ctx};
	struct sq_bind b;
	sqlite3_stmt *st;
	enum lm_qs qs;

	if (!f)
		f = &any;
	/*
	 * Pick the statement whose index (audit_user, audit_object, or the
	 * primary key) yields rows already in id order; the other conditions
	 * filter them.
	 */
	if (f->user_id)
		st = lm__sq_stmt(c, SQ_AUDIT_LIST_USER,
		                 "SELECT " AUDIT_COLS " FROM audit"
		                 " WHERE user_id = ?3 AND id > ?1" AUDIT_RESIDUAL);
	else if (f->object_type && f->object_id)
		st = lm__sq_stmt(
		    c, SQ_AUDIT_LIST_OBJECT,
		    "SELECT " AUDIT_COLS " FROM audit"
		    " WHERE object_type = ?4 AND object_id = ?5 AND id > ?1" AUDIT_RESIDUAL);
	else
		st = lm__sq_stmt(c, SQ_AUDIT_LIST,
		                 "SELECT " AUDIT_COLS " FROM audit WHERE id > ?1" AUDIT_RESIDUAL);
	if (!st)
		return LM_QS_HARD;
	lm__sq_bind_start(&b, c, st);
	lm__sq_b_page(&b, pg);
	bind_opt(&b, f->user_id);
	bind_opt(&b, f->object_type);
	bind_opt(&b, f->object_id);
	lm__sq_b_time(&b, f->from);
	lm__sq_b_time(&b, f->until);
	if ((qs = lm__sq_bind_end(&b)) < 0)
		return qs;
	return lm__sq_each(c, st, audit_each, &it);
}

/* ---- idempotency ------------------------------------------------------- */

#define IDEM_COLS "key, user_id, request_hash, object_type, object_id, status, created_at"

static int idem_into(struct sq_conn *c, sqlite3_stmt *st, void *out)
{
	struct lm_idem *r = out;
	struct sq_row row;

	memset(r, 0, sizeof(*r));
	lm__sq_row_start(&row, st);
	SQ_R_TEXT(&row, r->key);
	SQ_R_TEXT(&row, r->user_id);
	SQ_R_TEXT(&row, r->request_hash);
	SQ_R_TEXT(&row, r->object_type);
	SQ_R_TEXT(&row, r->object_id);
	r->status = (int)lm__sq_r_int(&row);
	r->created_at = lm__sq_r_int(&row);
	return lm__sq_row_end(c, &row);
}

enum lm_qs lm__sq_idem_get(struct lm_conn *conn, const char *user_id, const char *key,
                           struct lm_idem *out)
{
	struct sq_conn *c = lm__sq_conn(conn);
	sqlite3_stmt *st = lm__sq_stmt(c, SQ_IDEM_GET,
	                               "SELECT " IDEM_COLS " FROM idempotency"
	                               " WHERE user_id = ? AND key = ?");
	struct sq_bind b;
	enum lm_qs qs;

	if (!st)
		return LM_QS_HARD;
	lm__sq_bind_start(&b, c, st);
	lm__sq_b_text(&b, user_id, strlen(user_id) + 1);
	lm__sq_b_text(&b, key, strlen(key) + 1);
	if ((qs = lm__sq_bind_end(&b)) < 0)
		return qs;
	return lm__sq_each(c, st, idem_into, out);
}

enum lm_qs lm__sq_idem_insert(struct lm_conn *conn, const struct lm_idem *r)
{
	struct sq_conn *c = lm__sq_conn(conn);
	sqlite3_stmt *st = lm__sq_stmt(c, SQ_IDEM_INSERT,
	                               "INSERT INTO idempotency (" IDEM_COLS ")"
	                               " VALUES (?, ?, ?, ?, ?, ?, ?)");
	struct sq_bind b;
	enum lm_qs qs;

	if (!st)
		return LM_QS_HARD;
	lm__sq_bind_start(&b, c, st);
	SQ_B_TEXT(&b, r->key);
	SQ_B_TEXT(&b, r->user_id);
	SQ_B_TEXT(&b, r->request_hash);
	SQ_B_TEXT(&b, r->object_type);
	SQ_B_TEXT(&b, r->object_id);
	lm__sq_b_int(&b, r->status);
	lm__sq_b_int(&b, r->created_at);
	if ((qs = lm__sq_bind_end(&b)) < 0)
		return qs;
	return lm__sq_run(c, st);
}

/* ---- housekeeping ------------------------------------------------------ */

static enum lm_qs purge(struct sq_conn *c, enum sq_stmt_id id, const char *sql, lm_time_ms before)
{
	sqlite3_stmt *st = lm__sq_stmt(c, id, sql);
	struct sq_bind b;
	enum lm_qs qs;

	if (!st)
		return LM_QS_HARD;
	lm__sq_bind_start(&b, c, st);
	lm__sq_b_int(&b, before);
	if ((qs = lm__sq_bind_end(&b)) < 0)
		return qs;
	return lm__sq_run(c, st);
}

enum lm_qs lm__sq_purge_expired(struct lm_conn *conn, lm_time_ms idem_before,
                                lm_time_ms sessions_before)
{
	struct sq_conn *c = lm__sq_conn(conn);
	enum lm_qs a, b;

	a = purge(c, SQ_PURGE_IDEM, "DELETE FROM idempotency WHERE created_at < ?", idem_before);
	if (a < 0)
		return a;
	b = purge(c, SQ_PURGE_SESSIONS, "DELETE FROM sessions WHERE expires_at < ?",
	          sessions_before);
	if (b < 0)
		return b;
	return (enum lm_qs)(a + b);
}

/* session_into gives a lookup adapter; lists need the per-row one too. */
static int session_read(struct sq_conn *c, sqlite3_stmt *st, struct lm_session *out)
{
	return session_into(c, st, out);
}
SQ_ROW_EACH(session, struct lm_session)

enum lm_qs lm__sq_session_get(struct lm_conn *conn, const char *id, struct lm_session *out)
{
	struct sq_conn *c = lm__sq_conn(conn);

	return lm__sq_get(
	    c, lm__sq_stmt(c, SQ_SESSION_GET, "SELECT " SESSION_COLS " FROM sessions WHERE id = ?"),
	    id, session_into, out);
}

enum lm_qs lm__sq_session_list(struct lm_conn *conn, const char *user_id, enum lm_session_kind kind,
                               int (*cb)(void *ctx, const struct lm_session *s), void *ctx)
{
	struct sq_conn *c = lm__sq_conn(conn);
	sqlite3_stmt *st = lm__sq_stmt(c, SQ_SESSION_LIST,
	                               "SELECT " SESSION_COLS " FROM sessions"
	                               " WHERE user_id = ? AND kind = ? ORDER BY id");
	struct session_iter it = {cb, ctx};
	struct sq_bind b;
	enum lm_qs qs;

	if (!st)
		return LM_QS_HARD;
	lm__sq_bind_start(&b, c, st);
	lm__sq_b_text(&b, user_id, LM_UUID_STRLEN);
	lm__sq_b_int(&b, kind);
	if ((qs = lm__sq_bind_end(&b)) < 0)
		return qs;
	return lm__sq_each(c, st, session_each, &it);
}
