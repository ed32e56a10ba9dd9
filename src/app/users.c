/*
 * users.c - agencies and staff accounts.
 *
 * Accounts hold staff names, so listing or reading them is a read of
 * personal data: it needs a purpose and is audited. A user's own record is
 * the exception (GET /me reads the caller, not someone else).
 */
#include "app/app_int.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

static const char *const agency_kinds[] = {
    "immigration", "customs",      "police", "army",  "local_government",
    "health",      "humanitarian", "civil",  "other", NULL,
};

static int check_agency(const struct lm_agency *in, struct lm_error *err)
{
	int rc;
	int known = 0;

	if ((rc = lm__check_code(in->code, "code", err)) ||
	    (rc = lm__check_text(in->name, LM_NAME_MAX, 1, "name", err)) ||
	    (rc = lm__check_country(in->country, "country", err)))
		return rc;
	for (int i = 0; agency_kinds[i]; i++)
		known |= strcmp(in->kind, agency_kinds[i]) == 0;
	if (!known)
		return lm_error_set(err, LM_EINVAL, "kind",
		                    "must be one of immigration, customs, police, army, "
		                    "local_government, health, humanitarian, civil, other");
	return 0;
}

static int agency_create_fn(struct lm_app *app, struct lm_conn *c, void *arg, char *object_id,
                            size_t object_id_len, struct lm_error *err)
{
	struct lm_agency ag = *(const struct lm_agency *)arg;

	lm_uuid_v7(ag.id);
	ag.created_at = lm_time_now();
	ag.version = 1;
	snprintf(object_id, object_id_len, "%s", ag.id);
	return lm__qs(app, c, lm_store_agency_insert(c, &ag), "an agency with this code", err);
}

int lm_app_agency_create(struct lm_app *app, const struct lm_actor *a,
                         const struct lm_idem_req *idem, const struct lm_agency *in,
                         struct lm_created *out, struct lm_error *err)
{
	struct lm__write w = {"agency.create", "agency", idem, agency_create_fn, (void *)in, 0};
	int rc;

	if ((rc = lm__require(app, a, LM_PERM_AGENCY_WRITE, w.action, w.object_type, in->code,
	                      err)) ||
	    (rc = check_agency(in, err)))
		return rc;
	return lm__write(app, a, &w, out, err);
}

struct agency_update {
	const struct lm_agency *in;
	int64_t expect_version;
};

static int agency_update_fn(struct lm_app *app, struct lm_conn *c, void *arg, char *object_id,
                            size_t object_id_len, struct lm_error *err)
{
	const struct agency_update *u = arg;
	struct lm_agency cur;
	enum lm_qs qs;
	int rc;

	qs = lm_store_agency_get(c, u->in->id[0] ? u->in->id : u->in->code, &cur);
	if ((rc = lm__qs(app, c, qs, "agency", err)))
		return rc;
	if (qs == LM_QS_NONE)
		return lm_error_set(err, LM_ENOTFOUND, "", "no agency %s", u->in->code);
	snprintf(object_id, object_id_len, "%s", cur.id);
	if (strcmp(cur.code, u->in->code) != 0)
		return lm_error_set(err, LM_EINVAL, "code", "an agency's code cannot change");
	memcpy(cur.name, u->in->name, sizeof(cur.name));
	memcpy(cur.kind, u->in->kind, sizeof(cur.kind));
	memcpy(cur.country, u->in->country, sizeof(cur.country));
	qs = lm_store_agency_update(c, &cur, u->expect_version);
	if ((rc = lm__qs(app, c, qs, "agency", err)))
		return rc;
	if (qs == LM_QS_NONE)
		return lm_error_set(err, LM_ESTALE, "If-Match",
		                    "agency %s changed since version %lld was read", cur.code,
		                    (long long)u->expect_version);
	return 0;
}

int lm_app_agency_update(struct lm_app *app, const struct lm_actor *a, const struct lm_agency *in,
                         int64_t expect_version, struct lm_error *err)
{
	struct agency_update u = {in, expect_version};
	struct lm__write w = {"agency.update", "agency", NULL, agency_update_fn, &u, 0};
	struct lm_created out;
	int rc;

	if ((rc = lm__require(app, a, LM_PERM_AGENCY_WRITE, w.action, w.object_type, in->code,
	                      err)) ||
	    (rc = check_agency(in, err)))
		return rc;
	return lm__write(app, a, &w, &out, err);
}

int lm_app_agency_get(struct lm_app *app, const struct lm_actor *a, const char *key_in,
                      struct lm_agency *out, struct lm_error *err)
{
	struct lm_conn *c;
	enum lm_qs qs;
	char key[LM__KEY_MAX];
	int rc;

	lm__key(key, key_in);

	if ((rc = lm__require(app, a, LM_PERM_AGENCY_READ, "agency.read", "agency", key, err)))
		return rc;
	c = lm_store_acquire(app->st, LM_CONN_READ);
	qs = lm_store_agency_get(c, key, out);
	rc = lm__qs(app, c, qs, "agency", err);
	lm_store_release(c);
	if (!rc && qs == LM_QS_NONE)
		rc = lm_error_set(err, LM_ENOTFOUND, "", "no agency %s", key);
	return rc;
}

int lm_app_agency_list(struct lm_app *app, const struct lm_actor *a, const struct lm_page *pg,
                       int (*cb)(void *ctx, const struct lm_agency *ag), void *ctx,
                       struct lm_error *err)
{
	struct lm_conn *c;
	int rc;

	if ((rc = lm__require(app, a, LM_PERM_AGENCY_READ, "agency.list", "agency", "", err)))
		return rc;
	c = lm_store_acquire(app->st, LM_CONN_READ);
	rc = lm__qs(app, c, lm_store_agency_list(c, pg, cb, ctx), "agencies", err);
	lm_store_release(c);
	return rc;
}

/* ---- users ----------------------------------------------------------------- */

static int check_username(const char *s, struct lm_error *err)
{
	size_t n = strlen(s);

	if (n < 2 || n > LM_USERNAME_MAX)
		return lm_error_set(err, LM_EINVAL, "username", "must be 2 to %d characters",
		                    LM_USERNAME_MAX);
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (!(islower(ch) || isdigit(ch) || ch == '.' || ch == '_' || ch == '-'))
			return lm_error_set(err, LM_EINVAL, "username",
			                    "may hold only a-z, 0-9 and . _ -");
	}
	return 0;
}

int lm__check_password(const char *pw, struct lm_error *err)
{
	size_t n = strlen(pw);

	if (n < LM_PASSWORD_MIN)
		return lm_error_set(err, LM_EINVAL, "password", "must be at least %d characters",
		                    LM_PASSWORD_MIN);
	if (n > LM_PASSWORD_MAX)
		return lm_error_set(err, LM_EINVAL, "password", "longer than %d bytes",
		                    LM_PASSWORD_MAX);
	return lm__check_text(pw, LM_PASSWORD_MAX, 1, "password", err);
}

struct user_write {
	struct lm_user_view view;
	const char *password;
	int64_t expect_version; /* update only */
};

/* Resolve agency and crossing points inside the transaction, so they cannot vanish midway. */
static int resolve_refs(struct lm_app *app, struct lm_conn *c, struct lm_user_view *v,
                        struct lm_error *err)
{
	struct lm_agency ag;
	struct lm_crossing_point p;
	enum lm_qs qs;
	int rc;

	qs = lm_store_agency_get(c, v->user.agency_id, &ag);
	if ((rc = lm__qs(app, c, qs, "agency", err)))
		return rc;
	if (qs == LM_QS_NONE)
		return lm_error_set(err, LM_EINVAL, "agency", "no agency '%s'", v->user.agency_id);
	snprintf(v->user.agency_id, sizeof(v->user.agency_id), "%s", ag.id);
	snprintf(v->agency_code, sizeof(v->agency_code), "%s", ag.code);
	for (size_t i = 0; i < v->npoints; i++) {
		char field[48];
		snprintf(field, sizeof(field), "crossing_points/%zu", i);
		qs = lm_store_point_get(c, v->points[i], &p);
		if ((rc = lm__qs(app, c, qs, "crossing point", err)))
			return rc;
		if (qs == LM_QS_NONE)
			return lm_error_set(err, LM_EINVAL, field, "no crossing point '%s'",
			                    v->points[i]);
		snprintf(v->points[i], sizeof(v->points[i]), "%s", p.code);
	}
	return 0;
}

static int set_points(struct lm_app *app, struct lm_conn *c, const struct lm_user_view *v,
                      struct lm_error *err)
{
	const char *codes[LM_USER_POINTS_MAX];

	for (size_t i = 0; i < v->npoints; i++)
		codes[i] = v->points[i];
	return lm__qs(app, c, lm_store_user_points_set(c, v->user.id, codes, v->npoints),
	              "assignments", err);
}

static int user_create_fn(struct lm_app *app, struct lm_conn *c, void *arg, char *object_id,
                          size_t object_id_len, struct lm_error *err)
{
	struct user_write *uw = arg;
	struct lm_user_view *v = &uw->view;
	int rc;

	if ((rc = resolve_refs(app, c, v, err)))
		return rc;
	lm_uuid_v7(v->user.id);
	v->user.created_at = lm_time_now();
	v->user.version = 1;
	snprintf(object_id, object_id_len, "%s", v->user.id);
	if ((rc = lm__qs(app, c, lm_store_user_insert(c, &v->user), "a user with this username",
	                 err)))
		return rc;
	return set_points(app, c, v, err);
}

static int check_user(const struct lm_user_view *in, struct lm_error *err)
{
	int rc;

	if ((rc = check_username(in->user.username, err)) ||
	    (rc = lm__check_text(in->user.display_name, LM_NAME_MAX, 1, "display_name", err)))
		return rc;
	if (in->user.role < LM_ROLE_OFFICER || in->user.role > LM_ROLE_HUMANITARIAN)
		return lm_error_set(err, LM_EINVAL, "role",
		                    "must be officer, supervisor, analyst, admin, auditor or "
		                    "humanitarian");
	if (in->npoints > LM_USER_POINTS_MAX)
		return lm_error_set(err, LM_EINVAL, "crossing_points", "at most %d",
		                    LM_USER_POINTS_MAX);
	return 0;
}

static int load_view(struct lm_app *app, struct lm_conn *c, const struct lm_user *u,
                     struct lm_user_view *v, struct lm_error *err);

int lm_app_user_create(struct lm_app *app, const struct lm_actor *a, const struct lm_idem_req *idem,
                       struct lm_user_view *in, const char *password, struct lm_created *out,
                       struct lm_error *err)
{
	struct user_write uw;
	struct lm__write w = {"user.create", "user", idem, user_create_fn, &uw, 0};
	int rc;

	if ((rc = lm__require(app, a, LM_PERM_USER_WRITE, w.action, w.object_type,
	                      in->user.username, err)) ||
	    (rc = check_user(in, err)))
		return rc;
	memset(&uw, 0, sizeof(uw));
	uw.view = *in;
	uw.view.user.disabled = in->user.disabled;
	if (password && password[0]) {
		if ((rc = lm__check_password(password, err)))
			return rc;
		/* Hash outside the transaction: argon2 takes tens of milliseconds. */
		if ((rc = lm__hash_password(password, uw.view.user.pw_hash)))
			return lm_error_set(err, rc, "password", "cannot hash the password");
	} else if (in->user.pw_hash[0]) {
		/* Already hashed by the caller (the demo loader shares one hash). */
		snprintf(uw.view.user.pw_hash, sizeof(uw.view.user.pw_hash), "%s",
		         in->user.pw_hash);
	}
	rc = lm__write(app, a, &w, out, err);
	if (rc == 0 && !out->replayed) {
		*in = uw.view;
		in->user.pw_hash[0] = '\0';
	} else if (rc == 0) {
		/* A retry answers with what the first attempt stored: the caller created
		 * it, so this is not a read of someone else's record. */
		struct lm_conn *c = lm_store_acquire(app->st, LM_CONN_READ);
		struct lm_user u;
		enum lm_qs qs = lm_store_user_get(c, out->id, &u);
		rc = lm__qs(app, c, qs, "user", err);
		if (!rc && qs == LM_QS_ONE)
			rc = load_view(app, c, &u, in, err);
		lm_store_release(c);
	}
	sodium_memzero(uw.view.user.pw_hash, sizeof(uw.view.user.pw_hash));
	return rc;
}

struct collect_points {
	struct lm_user_view *v;
};

static int collect_point(void *ctx, const char *code)
{
	struct lm_user_view *v = ctx;

	if (v->npoints < LM_USER_POINTS_MAX)
		snprintf(v->points[v->npoints++], sizeof(v->points[0]), "%s", code);
	return 0;
}

static int load_view(struct lm_app *app, struct lm_conn *c, const struct lm_user *u,
                     struct lm_user_view *v, struct lm_error *err)
{
	struct lm_agency ag;
	enum lm_qs qs;
	int rc;

	memset(v, 0, sizeof(*v));
	v->user = *u;
	v->user.pw_hash[0] = '\0';
	qs = lm_store_agency_get(c, u->agency_id, &ag);
	if ((rc = lm__qs(app, c, qs, "agency", err)))
		return rc;
	if (qs == LM_QS_ONE)
		snprintf(v->agency_code, sizeof(v->agency_code), "%s", ag.code);
	return lm__qs(app, c, lm_store_user_points_list(c, u->id, collect_point, v), "assignments",
	              err);
}

int lm_app_user_get(struct lm_app *app, const struct lm_actor *a, const char *key_in,
                    struct lm_user_view *out, struct lm_error *err)
{
	char key[LM__KEY_MAX];
	struct lm_conn *c;
	struct lm_user u;
	enum lm_qs qs;
	int self, rc;

	lm__key(key, key_in);
	/* Decide before looking: otherwise 404 vs 403 would tell anyone which usernames exist. */
	self = a->user_id[0] && (!strcmp(key, a->user_id) || !strcmp(key, a->username));
	memset(out, 0, sizeof(*out));
	if (!self && (rc = lm__require(app, a, LM_PERM_USER_READ, "user.read", "user", key, err)))
		return rc;
	if (!self && (rc = lm__require_purpose(a, err)))
		return rc;
	c = lm_store_acquire(app->st, LM_CONN_READ);
	qs = lm_store_user_get(c, key, &u);
	rc = lm__qs(app, c, qs, "user", err);
	if (!rc && qs == LM_QS_NONE)
		rc = lm_error_set(err, LM_ENOTFOUND, "", "no user %s", key);
	if (!rc)
		rc = load_view(app, c, &u, out, err);
	lm_store_release(c);
	if (!rc && !self)
		rc = lm__audit_read(app, a, "user.read", "user", u.id, err);
	if (rc)
		memset(out, 0, sizeof(*out));
	return rc;
}

struct user_list_ctx {
	struct lm_app *app;
	struct lm_conn *c;
	int (*cb)(void *ctx, const struct lm_user_view *u);
	void *ctx;
	int rc;
	struct lm_error *err;
	struct lm_user *rows;
	size_t n;
};

static int user_collect(void *ctx, const struct lm_user *u)
{
	struct user_list_ctx *l = ctx;

	l->rows[l->n++] = *u;
	return 0;
}

int lm_app_user_list(struct lm_app *app, const struct lm_actor *a, const struct lm_page *pg,
                     int (*cb)(void *ctx, const struct lm_user_view *u), void *ctx,
                     struct lm_error *err)
{
	struct user_list_ctx l = {app, NULL, cb, ctx, 0, err, NULL, 0};
	struct lm_user_view v;
	struct lm_page page = *pg;
	int rc;

	if ((rc = lm__require(app, a, LM_PERM_USER_READ, "user.list", "user", "", err)))
		return rc;
	if ((rc = lm__require_purpose(a, err)))
		return rc;
	if (page.limit <= 0 || page.limit > 1000)
		page.limit = 1000;
	/* Collect the page first: the store's row callback must not re-enter the store. */
	l.rows = calloc((size_t)page.limit, sizeof(*l.rows));
	if (!l.rows)
		return lm_error_set(err, LM_ENOMEM, "", "out of memory");
	l.c = lm_store_acquire(app->st, LM_CONN_READ);
	rc = lm__qs(app, l.c, lm_store_user_list(l.c, &page, user_collect, &l), "users", err);
	for (size_t i = 0; !rc && i < l.n; i++) {
		rc = load_view(app, l.c, &l.rows[i], &v, err);
		if (!rc && cb(ctx, &v))
			break;
	}
	lm_store_release(l.c);
	free(l.rows);
	if (!rc)
		rc = lm__audit_read(app, a, "user.list", "user", "", err);
	return rc;
}

static int user_update_fn(struct lm_app *app, struct lm_conn *c, void *arg, char *object_id,
                          size_t object_id_len, struct lm_error *err)
{
	struct user_write *uw = arg;
	struct lm_user_view *v = &uw->view;
	struct lm_user cur;
	enum lm_qs qs;
	int rc;

	qs = lm_store_user_get(c, v->user.id, &cur);
	if ((rc = lm__qs(app, c, qs, "user", err)))
		return rc;
	if (qs == LM_QS_NONE)
		return lm_error_set(err, LM_ENOTFOUND, "", "no user %s", v->user.id);
	snprintf(object_id, object_id_len, "%s", cur.id);
	if ((rc = resolve_refs(app, c, v, err)))
		return rc;
	/* Only these fields change here; the password has its own use case. */
	snprintf(cur.display_name, sizeof(cur.display_name), "%s", v->user.display_name);
	snprintf(cur.agency_id, sizeof(cur.agency_id), "%s", v->user.agency_id);
	cur.role = v->user.role;
	cur.disabled = v->user.disabled;
	qs = lm_store_user_update(c, &cur, uw->expect_version);
	if ((rc = lm__qs(app, c, qs, "user", err)))
		return rc;
	if (qs == LM_QS_NONE)
		return lm_error_set(err, LM_ESTALE, "If-Match",
		                    "the user changed since version %lld was read",
		                    (long long)uw->expect_version);
	if (cur.disabled &&
	    (rc = lm__qs(app, c, lm_store_session_revoke_user(c, cur.id, lm_time_now()), "sessions",
	                 err)))
		return rc;
	v->user.id[0] = '\0';
	snprintf(v->user.id, sizeof(v->user.id), "%s", cur.id);
	return set_points(app, c, v, err);
}

int lm_app_user_update(struct lm_app *app, const struct lm_actor *a, const struct lm_user_view *in,
                       int64_t expect_version, struct lm_error *err)
{
	struct user_write uw;
	struct lm__write w = {"user.update", "user", NULL, user_update_fn, &uw, LM__INV_SESSIONS};
	struct lm_created out;
	int rc;

	if ((rc = lm__require(app, a, LM_PERM_USER_WRITE, w.action, w.object_type, in->user.id,
	                      err)) ||
	    (rc = check_user(in, err)))
		return rc;
	memset(&uw, 0, sizeof(uw));
	uw.view = *in;
	uw.expect_version = expect_version;
	return lm__write(app, a, &w, &out, err);
}

struct pw_write {
	const char *key;
	char hash[LM_PWHASH_MAX + 1];
};

static int password_fn(struct lm_app *app, struct lm_conn *c, void *arg, char *object_id,
                       size_t object_id_len, struct lm_error *err)
{
	struct pw_write *pw = arg;
	struct lm_user u;
	enum lm_qs qs;
	int rc;

	qs = lm_store_user_get(c, pw->key, &u);
	if ((rc = lm__qs(app, c, qs, "user", err)))
		return rc;
	if (qs == LM_QS_NONE)
		return lm_error_set(err, LM_ENOTFOUND, "", "no user %s", pw->key);
	snprintf(object_id, object_id_len, "%s", u.id);
	snprintf(u.pw_hash, sizeof(u.pw_hash), "%s", pw->hash);
	qs = lm_store_user_update(c, &u, u.version);
	if ((rc = lm__qs(app, c, qs, "user", err)))
		return rc;
	return lm__qs(app, c, lm_store_session_revoke_user(c, u.id, lm_time_now()), "sessions",
	              err);
}

int lm__set_password(struct lm_app *app, const struct lm_actor *a, const char *key,
                     const char *password, const char *action, struct lm_error *err)
{
	struct pw_write pw = {key, ""};
	struct lm__write w = {action, "user", NULL, password_fn, &pw, LM__INV_SESSIONS};
	struct lm_created out;
	int rc;

	if ((rc = lm__hash_password(password, pw.hash)))
		return lm_error_set(err, rc, "password", "cannot hash the password");
	rc = lm__write(app, a, &w, &out, err);
	sodium_memzero(pw.hash, sizeof(pw.hash));
	return rc;
}

int lm_app_user_set_password(struct lm_app *app, const struct lm_actor *a, const char *key,
                             const char *password, struct lm_error *err)
{
	int rc;

	if ((rc = lm__require(app, a, LM_PERM_USER_WRITE, "user.set_password", "user", key, err)) ||
	    (rc = lm__check_password(password, err)))
		return rc;
	return lm__set_password(app, a, key, password, "user.set_password", err);
}
