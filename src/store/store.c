/*
 * store.c - pick a backend by URL and dispatch every lm_store_* call to it.
 *
 * Nothing here knows SQL. Each public function is one indirect call through
 * the connection's (or store's) ops table; see store_int.h for how a
 * backend plugs in.
 */
#include "store/store_int.h"

#include <stdlib.h>
#include <string.h>

/*
 * URL prefixes, tried in order. `strip` says whether the backend gets the
 * part after the prefix (a file path) or the whole URL (a libpq conninfo
 * keeps its scheme). A URL that matches none and does not look like
 * "scheme://" is a bare SQLite path.
 */
static const struct {
	const char *prefix;
	int strip;
	const struct lm_store_ops *ops;
} backends[] = {
    {"sqlite:", 1, &lm__sqlite_ops},
};

int lm_store_open(const char *url, unsigned flags, struct lm_store **out, struct lm_error *err)
{
	const char *sep;

	*out = NULL;
	if (!url || !*url)
		return lm_error_set(err, LM_EINVAL, "store", "empty store URL");
	if ((flags & LM_STORE_CREATE) && (flags & LM_STORE_READONLY))
		return lm_error_set(err, LM_EINVAL, "store",
		                    "cannot create a database opened read-only");

	for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++) {
		size_t n = strlen(backends[i].prefix);
		if (strncmp(url, backends[i].prefix, n) != 0)
			continue;
		if (backends[i].strip && !url[n])
			return lm_error_set(err, LM_EINVAL, "store", "store URL \"%s\" has no path",
			                    url);
		return backends[i].ops->open(backends[i].strip ? url + n : url, flags, out, err);
	}

	/* "postgres://..." before that backend exists must not become a file name. */
	sep = strstr(url, "://");
	if (sep && (size_t)(sep - url) == strspn(url, "abcdefghijklmnopqrstuvwxyz+.-"))
		return lm_error_set(err, LM_EINVAL, "store",
		                    "store URL scheme \"%.*s\" is not supported by this build",
		                    (int)(sep - url), url);
	return lm__sqlite_ops.open(url, flags, out, err);
}

void lm_store_free(struct lm_store *st)
{
	if (st)
		st->ops->free(st);
}

const char *lm_store_backend(const struct lm_store *st)
{
	return st->ops->name;
}

int lm_store_was_empty(const struct lm_store *st)
{
	return st->ops->was_empty(st);
}

int lm_store_schema_version(struct lm_store *st, int *current, int *latest, struct lm_error *err)
{
	return st->ops->schema_version(st, current, latest, err);
}

int lm_store_migrate(struct lm_store *st, int *from, int *to, struct lm_error *err)
{
	return st->ops->migrate(st, from, to, err);
}

uint64_t lm_store_data_version(struct lm_store *st)
{
	return st->ops->data_version(st);
}

int lm_store_backup(struct lm_store *st, const char *path, struct lm_error *err)
{
	return st->ops->backup(st, path, err);
}

struct lm_conn *lm_store_acquire(struct lm_store *st, enum lm_conn_kind kind)
{
	return st->ops->acquire(st, kind);
}

void lm_store_release(struct lm_conn *c)
{
	if (c)
		c->st->ops->release(c);
}

enum lm_qs lm_store_begin(struct lm_conn *c)
{
	return c->st->ops->begin(c);
}

enum lm_qs lm_store_commit(struct lm_conn *c)
{
	return c->st->ops->commit(c);
}

void lm_store_rollback(struct lm_conn *c)
{
	c->st->ops->rollback(c);
}

const char *lm_store_errmsg(struct lm_conn *c)
{
	return c->st->ops->errmsg(c);
}

int lm_store_last_conflict(struct lm_conn *c)
{
	return c->st->ops->last_conflict(c);
}

enum lm_qs lm_store_agency_insert(struct lm_conn *c, const struct lm_agency *a)
{
	return c->st->ops->agency_insert(c, a);
}

enum lm_qs lm_store_agency_get(struct lm_conn *c, const char *id_or_code, struct lm_agency *out)
{
	return c->st->ops->agency_get(c, id_or_code, out);
}

enum lm_qs lm_store_agency_list(struct lm_conn *c, const struct lm_page *pg,
                                int (*cb)(void *ctx, const struct lm_agency *a), void *ctx)
{
	return c->st->ops->agency_list(c, pg, cb, ctx);
}

enum lm_qs lm_store_user_insert(struct lm_conn *c, const struct lm_user *u)
{
	return c->st->ops->user_insert(c, u);
}

enum lm_qs lm_store_user_get(struct lm_conn *c, const char *id_or_username, struct lm_user *out)
{
	return c->st->ops->user_get(c, id_or_username, out);
}

enum lm_qs lm_store_user_update(struct lm_conn *c, const struct lm_user *u, int64_t expect_version)
{
	return c->st->ops->user_update(c, u, expect_version);
}

enum lm_qs lm_store_user_list(struct lm_conn *c, const struct lm_page *pg,
                              int (*cb)(void *ctx, const struct lm_user *u), void *ctx)
{
	return c->st->ops->user_list(c, pg, cb, ctx);
}

enum lm_qs lm_store_user_points_set(struct lm_conn *c, const char *user_id,
                                    const char *const *codes, size_t n)
{
	return c->st->ops->user_points_set(c, user_id, codes, n);
}

enum lm_qs lm_store_user_points_list(struct lm_conn *c, const char *user_id,
                                     int (*cb)(void *ctx, const char *code), void *ctx)
{
	return c->st->ops->user_points_list(c, user_id, cb, ctx);
}

enum lm_qs lm_store_session_insert(struct lm_conn *c, const struct lm_session *s)
{
	return c->st->ops->session_insert(c, s);
}

enum lm_qs lm_store_session_by_hash(struct lm_conn *c, const char *token_hash,
                                    struct lm_session *out)
{
	return c->st->ops->session_by_hash(c, token_hash, out);
}

enum lm_qs lm_store_session_revoke(struct lm_conn *c, const char *id, lm_time_ms at)
{
	return c->st->ops->session_revoke(c, id, at);
}

enum lm_qs lm_store_session_revoke_user(struct lm_conn *c, const char *user_id, lm_time_ms at)
{
	return c->st->ops->session_revoke_user(c, user_id, at);
}

enum lm_qs lm_store_audit_append(struct lm_conn *c, const struct lm_audit *a)
{
	return c->st->ops->audit_append(c, a);
}

enum lm_qs lm_store_audit_list(struct lm_conn *c, const struct lm_audit_filter *f,
                               const struct lm_page *pg,
                               int (*cb)(void *ctx, const struct lm_audit *a), void *ctx)
{
	return c->st->ops->audit_list(c, f, pg, cb, ctx);
}

enum lm_qs lm_store_idem_get(struct lm_conn *c, const char *user_id, const char *key,
                             struct lm_idem *out)
{
	return c->st->ops->idem_get(c, user_id, key, out);
}

enum lm_qs lm_store_idem_insert(struct lm_conn *c, const struct lm_idem *r)
{
	return c->st->ops->idem_insert(c, r);
}

enum lm_qs lm_store_purge_expired(struct lm_conn *c, lm_time_ms idem_before,
                                  lm_time_ms sessions_before)
{
	return c->st->ops->purge_expired(c, idem_before, sessions_before);
}

enum lm_qs lm_store_point_insert(struct lm_conn *c, const struct lm_crossing_point *p)
{
	return c->st->ops->point_insert(c, p);
}

enum lm_qs lm_store_point_get(struct lm_conn *c, const char *id_or_code,
                              struct lm_crossing_point *out)
{
	return c->st->ops->point_get(c, id_or_code, out);
}

enum lm_qs lm_store_point_update(struct lm_conn *c, const struct lm_crossing_point *p,
                                 int64_t expect_version)
{
	return c->st->ops->point_update(c, p, expect_version);
}

enum lm_qs lm_store_point_list(struct lm_conn *c, const struct lm_page *pg,
                               int (*cb)(void *ctx, const struct lm_crossing_point *p), void *ctx)
{
	return c->st->ops->point_list(c, pg, cb, ctx);
}

enum lm_qs lm_store_status_insert(struct lm_conn *c, const struct lm_status_change *s)
{
	return c->st->ops->status_insert(c, s);
}

enum lm_qs lm_store_status_list(struct lm_conn *c, const char *point_id,
                                int (*cb)(void *ctx, const struct lm_status_change *s), void *ctx)
{
	return c->st->ops->status_list(c, point_id, cb, ctx);
}

void lm_segment_release(struct lm_segment *s)
{
	if (!s)
		return;
	free(s->wkt);
	s->wkt = NULL;
}

enum lm_qs lm_store_segment_insert(struct lm_conn *c, const struct lm_segment *s)
{
	return c->st->ops->segment_insert(c, s);
}

enum lm_qs lm_store_segment_get(struct lm_conn *c, const char *id_or_code, struct lm_segment *out)
{
	return c->st->ops->segment_get(c, id_or_code, out);
}

enum lm_qs lm_store_segment_update(struct lm_conn *c, const struct lm_segment *s,
                                   int64_t expect_version)
{
	return c->st->ops->segment_update(c, s, expect_version);
}

enum lm_qs lm_store_segment_list(struct lm_conn *c, const struct lm_page *pg,
                                 int (*cb)(void *ctx, const struct lm_segment *s), void *ctx)
{
	return c->st->ops->segment_list(c, pg, cb, ctx);
}

enum lm_qs lm_store_marker_insert(struct lm_conn *c, const struct lm_marker *m)
{
	return c->st->ops->marker_insert(c, m);
}

enum lm_qs lm_store_marker_get(struct lm_conn *c, const char *id_or_pillar, struct lm_marker *out)
{
	return c->st->ops->marker_get(c, id_or_pillar, out);
}

enum lm_qs lm_store_marker_update(struct lm_conn *c, const struct lm_marker *m,
                                  int64_t expect_version)
{
	return c->st->ops->marker_update(c, m, expect_version);
}

enum lm_qs lm_store_marker_set_condition(struct lm_conn *c, const char *id,
                                         enum lm_marker_condition condition, lm_time_ms at,
                                         int64_t expect_version)
{
	return c->st->ops->marker_set_condition(c, id, condition, at, expect_version);
}

enum lm_qs lm_store_marker_list(struct lm_conn *c, const struct lm_page *pg,
                                int (*cb)(void *ctx, const struct lm_marker *m), void *ctx)
{
	return c->st->ops->marker_list(c, pg, cb, ctx);
}

enum lm_qs lm_store_inspection_insert(struct lm_conn *c, const struct lm_inspection *i)
{
	return c->st->ops->inspection_insert(c, i);
}

enum lm_qs lm_store_inspection_latest(struct lm_conn *c, const char *marker_id, lm_time_ms *at)
{
	return c->st->ops->inspection_latest(c, marker_id, at);
}

enum lm_qs lm_store_inspection_list(struct lm_conn *c, const char *marker_id,
                                    int (*cb)(void *ctx, const struct lm_inspection *i), void *ctx)
{
	return c->st->ops->inspection_list(c, marker_id, cb, ctx);
}

enum lm_qs lm_store_registry_delete(struct lm_conn *c, enum lm_registry_kind kind, const char *id,
                                    int64_t expect_version)
{
	return c->st->ops->registry_delete(c, kind, id, expect_version);
}

enum lm_qs lm_store_agency_update(struct lm_conn *c, const struct lm_agency *a,
                                  int64_t expect_version)
{
	return c->st->ops->agency_update(c, a, expect_version);
}

enum lm_qs lm_store_session_get(struct lm_conn *c, const char *id, struct lm_session *out)
{
	return c->st->ops->session_get(c, id, out);
}

enum lm_qs lm_store_session_list(struct lm_conn *c, const char *user_id, enum lm_session_kind kind,
                                 int (*cb)(void *ctx, const struct lm_session *s), void *ctx)
{
	return c->st->ops->session_list(c, user_id, kind, cb, ctx);
}
