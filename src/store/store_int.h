/*
 * store_int.h - what a storage backend implements, shared by store.c and the
 * backends only (app/ and http/ see store.h and nothing else).
 *
 * A backend is a `struct lm_store_ops` table plus its own store and
 * connection structs, each embedding the base struct below as its FIRST
 * member, so the dispatcher in store.c can hand the base pointer to the
 * backend and the backend can downcast it back (git's ref_store /
 * files_downcast pattern). A backend downcasts with a check of `ops` and
 * aborts on a mismatch: a connection of one backend passed to another is a
 * programmer error, never input.
 *
 * Adding a backend (PostgreSQL next): write src/store/pg/ with an ops
 * table, add it to the table in store.c under its URL scheme, make
 * tests/store/test_store.c pass against it. Nothing in store.h changes.
 *
 * Every ops member is required (store.c calls them without a NULL check).
 * The data calls have exactly the contract of the lm_store_* function of
 * the same name in store.h.
 */
#ifndef LM_STORE_INT_H
#define LM_STORE_INT_H

#include "store/store.h"

struct lm_store_ops;

/* Base of every backend's store object. */
struct lm_store {
	const struct lm_store_ops *ops;
};

/* Base of every backend's connection object. */
struct lm_conn {
	struct lm_store *st;
	enum lm_conn_kind kind; /* what the caller acquired it as */
};

struct lm_store_ops {
	const char *name; /* "sqlite"; also what lm_store_backend() reports */

	/*
	 * `target` is the URL with the scheme removed ("./limes.db",
	 * ":memory:"); for schemes that keep their prefix (postgres://) it is
	 * the whole URL. On failure fills `err`, sets *out to NULL.
	 */
	int (*open)(const char *target, unsigned flags, struct lm_store **out,
	            struct lm_error *err);
	void (*free)(struct lm_store *st);
	int (*was_empty)(const struct lm_store *st);
	int (*schema_version)(struct lm_store *st, int *current, int *latest, struct lm_error *err);
	int (*migrate)(struct lm_store *st, int *from, int *to, struct lm_error *err);
	int (*backup)(struct lm_store *st, const char *path, struct lm_error *err);
	uint64_t (*data_version)(struct lm_store *st);

	struct lm_conn *(*acquire)(struct lm_store *st, enum lm_conn_kind kind);
	void (*release)(struct lm_conn *c);
	enum lm_qs (*begin)(struct lm_conn *c);
	enum lm_qs (*commit)(struct lm_conn *c);
	void (*rollback)(struct lm_conn *c);

	const char *(*errmsg)(struct lm_conn *c);
	int (*last_conflict)(struct lm_conn *c);
	enum lm_qs (*registry_delete)(struct lm_conn *c, enum lm_registry_kind kind, const char *id,
	                              int64_t expect_version);

	enum lm_qs (*agency_insert)(struct lm_conn *c, const struct lm_agency *a);
	enum lm_qs (*agency_get)(struct lm_conn *c, const char *id_or_code, struct lm_agency *out);
	enum lm_qs (*agency_update)(struct lm_conn *c, const struct lm_agency *a,
	                            int64_t expect_version);
	enum lm_qs (*agency_list)(struct lm_conn *c, const struct lm_page *pg,
	                          int (*cb)(void *ctx, const struct lm_agency *a), void *ctx);

	enum lm_qs (*user_insert)(struct lm_conn *c, const struct lm_user *u);
	enum lm_qs (*user_get)(struct lm_conn *c, const char *id_or_username, struct lm_user *out);
	enum lm_qs (*user_update)(struct lm_conn *c, const struct lm_user *u,
	                          int64_t expect_version);
	enum lm_qs (*user_list)(struct lm_conn *c, const struct lm_page *pg,
	                        int (*cb)(void *ctx, const struct lm_user *u), void *ctx);
	enum lm_qs (*user_points_set)(struct lm_conn *c, const char *user_id,
	                              const char *const *codes, size_t n);
	enum lm_qs (*user_points_list)(struct lm_conn *c, const char *user_id,
	                               int (*cb)(void *ctx, const char *code), void *ctx);

	enum lm_qs (*session_insert)(struct lm_conn *c, const struct lm_session *s);
	enum lm_qs (*session_by_hash)(struct lm_conn *c, const char *token_hash,
	                              struct lm_session *out);
	enum lm_qs (*session_revoke)(struct lm_conn *c, const char *id, lm_time_ms at);
	enum lm_qs (*session_revoke_user)(struct lm_conn *c, const char *user_id, lm_time_ms at);
	enum lm_qs (*session_get)(struct lm_conn *c, const char *id, struct lm_session *out);
	enum lm_qs (*session_list)(struct lm_conn *c, const char *user_id,
	                           enum lm_session_kind kind,
	                           int (*cb)(void *ctx, const struct lm_session *s), void *ctx);

	enum lm_qs (*audit_append)(struct lm_conn *c, const struct lm_audit *a);
	enum lm_qs (*audit_list)(struct lm_conn *c, const struct lm_audit_filter *f,
	                         const struct lm_page *pg,
	                         int (*cb)(void *ctx, const struct lm_audit *a), void *ctx);

	enum lm_qs (*idem_get)(struct lm_conn *c, const char *user_id, const char *key,
	                       struct lm_idem *out);
	enum lm_qs (*idem_insert)(struct lm_conn *c, const struct lm_idem *r);
	enum lm_qs (*purge_expired)(struct lm_conn *c, lm_time_ms idem_before,
	                            lm_time_ms sessions_before);

	enum lm_qs (*point_insert)(struct lm_conn *c, const struct lm_crossing_point *p);
	enum lm_qs (*point_get)(struct lm_conn *c, const char *id_or_code,
	                        struct lm_crossing_point *out);
	enum lm_qs (*point_update)(struct lm_conn *c, const struct lm_crossing_point *p,
	                           int64_t expect_version);
	enum lm_qs (*point_list)(struct lm_conn *c, const struct lm_page *pg,
	                         int (*cb)(void *ctx, const struct lm_crossing_point *p),
	                         void *ctx);

	enum lm_qs (*status_insert)(struct lm_conn *c, const struct lm_status_change *s);
	enum lm_qs (*status_list)(struct lm_conn *c, const char *point_id,
	                          int (*cb)(void *ctx, const struct lm_status_change *s),
	                          void *ctx);

	enum lm_qs (*segment_insert)(struct lm_conn *c, const struct lm_segment *s);
	enum lm_qs (*segment_get)(struct lm_conn *c, const char *id_or_code,
	                          struct lm_segment *out);
	enum lm_qs (*segment_update)(struct lm_conn *c, const struct lm_segment *s,
	                             int64_t expect_version);
	enum lm_qs (*segment_list)(struct lm_conn *c, const struct lm_page *pg,
	                           int (*cb)(void *ctx, const struct lm_segment *s), void *ctx);

	enum lm_qs (*marker_insert)(struct lm_conn *c, const struct lm_marker *m);
	enum lm_qs (*marker_get)(struct lm_conn *c, const char *id_or_pillar,
	                         struct lm_marker *out);
	enum lm_qs (*marker_update)(struct lm_conn *c, const struct lm_marker *m,
	                            int64_t expect_version);
	enum lm_qs (*marker_set_condition)(struct lm_conn *c, const char *id,
	                                   enum lm_marker_condition condition, lm_time_ms at,
	                                   int64_t expect_version);
	enum lm_qs (*marker_list)(struct lm_conn *c, const struct lm_page *pg,
	                          int (*cb)(void *ctx, const struct lm_marker *m), void *ctx);

	enum lm_qs (*inspection_insert)(struct lm_conn *c, const struct lm_inspection *i);
	enum lm_qs (*inspection_latest)(struct lm_conn *c, const char *marker_id, lm_time_ms *at);
	enum lm_qs (*inspection_list)(struct lm_conn *c, const char *marker_id,
	                              int (*cb)(void *ctx, const struct lm_inspection *i),
	                              void *ctx);
};

/* The backends store.c knows about. */
extern const struct lm_store_ops lm__sqlite_ops;

#endif
