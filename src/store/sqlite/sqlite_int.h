/*
 * sqlite_int.h - the SQLite backend's private layout, shared by
 * sqlite.c (connections, transactions, errors, binding helpers),
 * sqlite_schema.c (migrations, version, backup), sqlite_users.c (agencies,
 * users, sessions, audit, idempotency) and sqlite_border.c (crossing points,
 * status history, segments, markers, inspections).
 *
 * CONNECTIONS. A file database has one writer connection, opened with the
 * store, and up to SQ_READERS_MAX read-only reader connections, opened the
 * first time the pool has no idle one. Each connection is used by one thread
 * at a time: sq_acquire() marks it busy under the store mutex and
 * sq_release() clears the mark and wakes one waiter, so a connection needs
 * no lock of its own (SQLITE_OPEN_NOMUTEX).
 *
 *	state of a connection	  moved by
 *	unopened (db == NULL) --- sq_acquire() opens it (readers only) ---> busy
 *	idle -------------------- sq_acquire() -------------------------> busy
 *	busy -------------------- sq_release() -------------------------> idle
 *	                          (rolls back an open transaction first)
 *	idle / unopened --------- sq_free() closes it
 *
 * A reader whose open failed stays busy with db == NULL until released: every
 * call on it fails hard with the open error, so lm_store_acquire() can keep
 * its "never NULL" promise, and the next acquire tries to open it again.
 *
 * ":memory:" has exactly one connection, the writer, serving both kinds: a
 * private in-memory database cannot be shared between connections without
 * SQLite's shared-cache mode, whose table locks would turn ordinary reads into
 * SQLITE_LOCKED errors. Readers therefore queue behind the writer there; it
 * exists for tests and throwaway tools, not for serving.
 *
 * STATEMENTS. Every statement has an id below and is prepared the first time
 * it is used on a connection (SQLITE_PREPARE_PERSISTENT), then reused: reset
 * and bindings cleared after each use by sq_done(). The SQL text sits next to
 * the code that binds it; one id is used at exactly one place.
 */
#ifndef LM_STORE_SQLITE_INT_H
#define LM_STORE_SQLITE_INT_H

#include <pthread.h>
#include <sqlite3.h>

#include "store/store_int.h"

/*
 * 16 readers: more than the HTTP worker threads we run, and each idle reader
 * costs its page cache (~2 MB by default).
 */
#define SQ_READERS_MAX 16
/* How long a connection waits for another process's lock before SQLITE_BUSY. */
#define SQ_BUSY_TIMEOUT_MS 5000

enum sq_stmt_id {
	SQ_BEGIN_WRITE,
	SQ_BEGIN_READ,
	SQ_COMMIT,
	SQ_ROLLBACK,
	SQ_SAVEPOINT,
	SQ_SAVEPOINT_RELEASE,
	SQ_SAVEPOINT_ROLLBACK,

	SQ_SCHEMA_HAS_TABLE,
	SQ_SCHEMA_OTHER_TABLES,
	SQ_SCHEMA_MAX,
	SQ_SCHEMA_INSERT,

	SQ_AGENCY_INSERT,
	SQ_AGENCY_BY_ID,
	SQ_AGENCY_BY_CODE,
	SQ_AGENCY_LIST,

	SQ_USER_INSERT,
	SQ_USER_BY_ID,
	SQ_USER_BY_USERNAME,
	SQ_USER_UPDATE,
	SQ_USER_LIST,
	SQ_USER_POINTS_CLEAR,
	SQ_USER_POINTS_ADD,
	SQ_USER_POINTS_LIST,

	SQ_SESSION_INSERT,
	SQ_SESSION_BY_HASH,
	SQ_SESSION_REVOKE,
	SQ_SESSION_REVOKE_USER,

	SQ_AUDIT_APPEND,
	SQ_AUDIT_LIST,
	SQ_AUDIT_LIST_USER,
	SQ_AUDIT_LIST_OBJECT,

	SQ_IDEM_GET,
	SQ_IDEM_INSERT,
	SQ_PURGE_IDEM,
	SQ_PURGE_SESSIONS,

	SQ_POINT_INSERT,
	SQ_POINT_BY_ID,
	SQ_POINT_BY_CODE,
	SQ_POINT_UPDATE,
	SQ_POINT_LIST,

	SQ_STATUS_INSERT,
	SQ_STATUS_LIST,

	SQ_SEGMENT_INSERT,
	SQ_SEGMENT_BY_ID,
	SQ_SEGMENT_BY_CODE,
	SQ_SEGMENT_UPDATE,
	SQ_SEGMENT_LIST,

	SQ_MARKER_INSERT,
	SQ_MARKER_BY_ID,
	SQ_MARKER_BY_PILLAR,
	SQ_MARKER_UPDATE,
	SQ_MARKER_SET_CONDITION,
	SQ_MARKER_LIST,

	SQ_INSPECTION_INSERT,
	SQ_INSPECTION_LATEST,
	SQ_AGENCY_UPDATE,
	SQ_SESSION_GET,
	SQ_SESSION_LIST,
	SQ_POINT_DELETE,
	SQ_SEGMENT_DELETE,
	SQ_MARKER_DELETE,
	SQ_INSPECTION_LIST,

	SQ__COUNT
};

struct sq_store;

struct sq_conn {
	struct lm_conn base; /* first: sq_conn() downcasts from it */
	struct sq_store *st;
	sqlite3 *db; /* NULL: not opened yet, or the open failed (see errmsg) */
	sqlite3_stmt *stmt[SQ__COUNT];
	int is_writer;
	int busy;         /* handed out; guarded by st->mu */
	int conflict;     /* enum lm_conflict of the last hard error */
	int last_rc;      /* extended SQLite code of the last error recorded */
	char errmsg[256]; /* the last hard or soft error, for logs */
};

struct sq_store {
	struct lm_store base; /* first: sq_store() downcasts from it */
	char *path;
	unsigned flags; /* enum lm_store_flags */
	int memory;     /* ":memory:": the writer is the only connection */
	int was_empty;
	pthread_mutex_t mu;
	pthread_cond_t writer_free;
	pthread_cond_t reader_free;
	struct sq_conn writer;
	struct sq_conn readers[SQ_READERS_MAX];

	/* Checkpoints run on their own thread and connection, off the writer's path. */
	sqlite3 *ckpt_db;
	pthread_t ckpt_thread;
	pthread_cond_t ckpt_cond; /* guarded by mu */
	int ckpt_running, ckpt_want, ckpt_stop;
};

/* Downcasts; abort when handed another backend's object. */
struct sq_store *lm__sq_store(struct lm_store *st);
struct sq_conn *lm__sq_conn(struct lm_conn *c);

/* The cached statement `id`, prepared from `sql` on first use; NULL on error (recorded). */
sqlite3_stmt *lm__sq_stmt(struct sq_conn *c, enum sq_stmt_id id, const char *sql);
/* Reset a statement and clear its bindings so it holds no caller memory. */
void lm__sq_done(sqlite3_stmt *st);
/* Record the connection's current SQLite error; SOFT for busy/locked, else HARD. */
enum lm_qs lm__sq_error(struct sq_conn *c, int rc);
/* Record a hard error of our own making. */
enum lm_qs lm__sq_fail(struct sq_conn *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Step a statement that returns no rows; the number of rows changed, or an error. */
enum lm_qs lm__sq_run(struct sq_conn *c, sqlite3_stmt *st);

/*
 * Bind values to ?1, ?2 ... in call order; the first failure is kept and
 * reported by lm__sq_bind_end(). Text is bound SQLITE_STATIC: the caller's
 * memory outlives the step, and lm__sq_done() clears the bindings after.
 * `cap` is the size of the source field: a field with no NUL inside it is
 * refused rather than read past its end.
 */
struct sq_bind {
	struct sq_conn *c;
	sqlite3_stmt *st;
	int i;
	int rc;
	const char *why; /* set for errors of ours, rc == SQLITE_MISUSE */
};

void lm__sq_bind_start(struct sq_bind *b, struct sq_conn *c, sqlite3_stmt *st);
void lm__sq_b_text(struct sq_bind *b, const char *s, size_t cap);
/* "" is bound as NULL: optional references ("" = none) must not hit the foreign key. */
void lm__sq_b_ref(struct sq_bind *b, const char *s, size_t cap);
void lm__sq_b_int(struct sq_bind *b, int64_t v);
/* LM_TIME_NONE is bound as NULL. */
void lm__sq_b_time(struct sq_bind *b, lm_time_ms t);
void lm__sq_b_double(struct sq_bind *b, double v);
/* 0, or the hard error (statement reset) when any bind failed. */
enum lm_qs lm__sq_bind_end(struct sq_bind *b);

/*
 * Read columns 0, 1 ... in call order. A text value that does not fit its
 * field (with its NUL) is an error, never truncated: lm__sq_row_end() reports
 * the first such column by name.
 */
struct sq_row {
	sqlite3_stmt *st;
	int i;
	int bad; /* first column that did not fit, or -1 */
};

void lm__sq_row_start(struct sq_row *r, sqlite3_stmt *st);
void lm__sq_r_text(struct sq_row *r, char *dst, size_t cap);
int64_t lm__sq_r_int(struct sq_row *r);
/* NULL reads as LM_TIME_NONE. */
lm_time_ms lm__sq_r_time(struct sq_row *r);
double lm__sq_r_double(struct sq_row *r);
/* The column as a borrowed NUL-terminated string ("" for NULL), valid until the next step. */
const char *lm__sq_r_borrow(struct sq_row *r, size_t *len);
/* 0, or -1 with the error recorded on `c` when a text column did not fit. */
int lm__sq_row_end(struct sq_conn *c, struct sq_row *r);

/*
 * Step `st` and call fn for each row; fn returns 0 to go on, 1 to stop
 * (counted), -1 on an error it has recorded. Returns the number of rows
 * handed to fn, or the error. Always resets the statement.
 */
typedef int (*sq_row_fn)(struct sq_conn *c, sqlite3_stmt *st, void *arg);
enum lm_qs lm__sq_each(struct sq_conn *c, sqlite3_stmt *st, sq_row_fn fn, void *arg);

/*
 * 1 when `key` is a UUID (copied lower-case into id: ids are stored
 * lower-case), 0 when it is a natural key (code, username, pillar).
 */
int lm__sq_is_id(const char *key, char id[LM_UUID_STRLEN]);
/* Bind a keyset page as (after, limit). */
void lm__sq_b_page(struct sq_bind *b, const struct lm_page *pg);

/* For fixed-size struct fields (arrays, never pointers: sizeof is the capacity). */
#define SQ_B_TEXT(b, field) lm__sq_b_text((b), (field), sizeof(field))
#define SQ_B_REF(b, field)  lm__sq_b_ref((b), (field), sizeof(field))
#define SQ_R_TEXT(r, field) lm__sq_r_text((r), (field), sizeof(field))

/*
 * The adapters every record type needs around its `NAME_read(c, st, TYPE *)`:
 * NAME_into (one row into a caller's struct, for lookups) and NAME_each with
 * struct NAME_iter (each row to a list callback; the callback returning
 * non-zero stops the list).
 */
#define SQ_ROW_INTO(name, type)                                                                    \
	static int name##_into(struct sq_conn *c, sqlite3_stmt *st, void *out)                     \
	{                                                                                          \
		return name##_read(c, st, (type *)out);                                            \
	}

#define SQ_ROW_EACH(name, type)                                                                    \
	struct name##_iter {                                                                       \
		int (*cb)(void *ctx, const type *row);                                             \
		void *ctx;                                                                         \
	};                                                                                         \
	static int name##_each(struct sq_conn *c, sqlite3_stmt *st, void *arg)                     \
	{                                                                                          \
		struct name##_iter *it = arg;                                                      \
		type row;                                                                          \
		if (name##_read(c, st, &row))                                                      \
			return -1;                                                                 \
		return it->cb && it->cb(it->ctx, &row) ? 1 : 0;                                    \
	}

/* Bind ?1 = key and hand each row to fn: a lookup by a unique key. */
enum lm_qs lm__sq_get(struct sq_conn *c, sqlite3_stmt *st, const char *key, sq_row_fn fn,
                      void *arg);
/* Bind ?1 = pg->after, ?2 = pg->limit and hand each row to fn. */
enum lm_qs lm__sq_list(struct sq_conn *c, sqlite3_stmt *st, const struct lm_page *pg, sq_row_fn fn,
                       void *arg);
/* Bind ?1 = key and step once: the number of rows changed. */
enum lm_qs lm__sq_run_key(struct sq_conn *c, sqlite3_stmt *st, const char *key);

/* sqlite_schema.c */
int lm__sq_was_empty(const struct lm_store *st);
int lm__sq_schema_version(struct lm_store *st, int *current, int *latest, struct lm_error *err);
int lm__sq_migrate(struct lm_store *st, int *from, int *to, struct lm_error *err);
int lm__sq_backup(struct lm_store *st, const char *path, struct lm_error *err);
/* Whether the schema_version table exists; -1 on error (recorded on c). */
int lm__sq_has_schema(struct sq_conn *c);

/* sqlite_users.c */
enum lm_qs lm__sq_agency_insert(struct lm_conn *c, const struct lm_agency *a);
enum lm_qs lm__sq_agency_get(struct lm_conn *c, const char *id_or_code, struct lm_agency *out);
enum lm_qs lm__sq_agency_list(struct lm_conn *c, const struct lm_page *pg,
                              int (*cb)(void *ctx, const struct lm_agency *a), void *ctx);
enum lm_qs lm__sq_user_insert(struct lm_conn *c, const struct lm_user *u);
enum lm_qs lm__sq_user_get(struct lm_conn *c, const char *id_or_username, struct lm_user *out);
enum lm_qs lm__sq_user_update(struct lm_conn *c, const struct lm_user *u, int64_t expect_version);
enum lm_qs lm__sq_user_list(struct lm_conn *c, const struct lm_page *pg,
                            int (*cb)(void *ctx, const struct lm_user *u), void *ctx);
enum lm_qs lm__sq_user_points_set(struct lm_conn *c, const char *user_id, const char *const *codes,
                                  size_t n);
enum lm_qs lm__sq_user_points_list(struct lm_conn *c, const char *user_id,
                                   int (*cb)(void *ctx, const char *code), void *ctx);
enum lm_qs lm__sq_session_insert(struct lm_conn *c, const struct lm_session *s);
enum lm_qs lm__sq_session_by_hash(struct lm_conn *c, const char *token_hash,
                                  struct lm_session *out);
enum lm_qs lm__sq_session_revoke(struct lm_conn *c, const char *id, lm_time_ms at);
enum lm_qs lm__sq_session_revoke_user(struct lm_conn *c, const char *user_id, lm_time_ms at);
enum lm_qs lm__sq_audit_append(struct lm_conn *c, const struct lm_audit *a);
enum lm_qs lm__sq_audit_list(struct lm_conn *c, const struct lm_audit_filter *f,
                             const struct lm_page *pg,
                             int (*cb)(void *ctx, const struct lm_audit *a), void *ctx);
enum lm_qs lm__sq_idem_get(struct lm_conn *c, const char *user_id, const char *key,
                           struct lm_idem *out);
enum lm_qs lm__sq_idem_insert(struct lm_conn *c, const struct lm_idem *r);
enum lm_qs lm__sq_purge_expired(struct lm_conn *c, lm_time_ms idem_before,
                                lm_time_ms sessions_before);

/* sqlite_border.c */
enum lm_qs lm__sq_point_insert(struct lm_conn *c, const struct lm_crossing_point *p);
enum lm_qs lm__sq_point_get(struct lm_conn *c, const char *id_or_code,
                            struct lm_crossing_point *out);
enum lm_qs lm__sq_point_update(struct lm_conn *c, const struct lm_crossing_point *p,
                               int64_t expect_version);
enum lm_qs lm__sq_point_list(struct lm_conn *c, const struct lm_page *pg,
                             int (*cb)(void *ctx, const struct lm_crossing_point *p), void *ctx);
enum lm_qs lm__sq_status_insert(struct lm_conn *c, const struct lm_status_change *s);
enum lm_qs lm__sq_status_list(struct lm_conn *c, const char *point_id,
                              int (*cb)(void *ctx, const struct lm_status_change *s), void *ctx);
enum lm_qs lm__sq_segment_insert(struct lm_conn *c, const struct lm_segment *s);
enum lm_qs lm__sq_segment_get(struct lm_conn *c, const char *id_or_code, struct lm_segment *out);
enum lm_qs lm__sq_segment_update(struct lm_conn *c, const struct lm_segment *s,
                                 int64_t expect_version);
enum lm_qs lm__sq_segment_list(struct lm_conn *c, const struct lm_page *pg,
                               int (*cb)(void *ctx, const struct lm_segment *s), void *ctx);
enum lm_qs lm__sq_marker_insert(struct lm_conn *c, const struct lm_marker *m);
enum lm_qs lm__sq_marker_get(struct lm_conn *c, const char *id_or_pillar, struct lm_marker *out);
enum lm_qs lm__sq_marker_update(struct lm_conn *c, const struct lm_marker *m,
                                int64_t expect_version);
enum lm_qs lm__sq_marker_set_condition(struct lm_conn *c, const char *id,
                                       enum lm_marker_condition condition, lm_time_ms at,
                                       int64_t expect_version);
enum lm_qs lm__sq_marker_list(struct lm_conn *c, const struct lm_page *pg,
                              int (*cb)(void *ctx, const struct lm_marker *m), void *ctx);
enum lm_qs lm__sq_registry_delete(struct lm_conn *c, enum lm_registry_kind kind, const char *id,
                                  int64_t expect_version);
enum lm_qs lm__sq_agency_update(struct lm_conn *c, const struct lm_agency *a,
                                int64_t expect_version);
enum lm_qs lm__sq_session_get(struct lm_conn *c, const char *id, struct lm_session *out);
enum lm_qs lm__sq_session_list(struct lm_conn *c, const char *user_id, enum lm_session_kind kind,
                               int (*cb)(void *ctx, const struct lm_session *s), void *ctx);
enum lm_qs lm__sq_inspection_latest(struct lm_conn *c, const char *marker_id, lm_time_ms *at);
enum lm_qs lm__sq_inspection_insert(struct lm_conn *c, const struct lm_inspection *i);
enum lm_qs lm__sq_inspection_list(struct lm_conn *c, const char *marker_id,
                                  int (*cb)(void *ctx, const struct lm_inspection *i), void *ctx);

#endif
