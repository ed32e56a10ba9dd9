/*
 * store.h - the only interface to persistence.
 *
 * A `struct lm_store` is a backend (SQLite now, PostgreSQL later) chosen by
 * the URL given to lm_store_open(). Work happens on a connection taken from
 * the store: any number of readers at once, one writer at a time.
 *
 * USAGE:
 *	struct lm_store *st;
 *	if (lm_store_open("sqlite:./limes.db", LM_STORE_CREATE, &st, &err)) fail;
 *	if (lm_store_migrate(st, &from, &to, &err)) fail;   // refuses a newer schema
 *
 *	struct lm_conn *c = lm_store_acquire(st, LM_CONN_WRITE);
 *	qs = lm_store_begin(c);
 *	qs = lm_store_agency_insert(c, &agency);
 *	qs = lm_store_commit(c);              // on failure: lm_store_rollback(c)
 *	lm_store_release(c);
 *	lm_store_free(st);
 *
 * Every data call returns an `enum lm_qs` (Taler's DB_QueryStatus): a hard
 * error (retrying cannot help), a soft error (busy / serialization failure:
 * roll back and retry the whole transaction), no rows, or the number of rows
 * affected or produced. One retry loop in app/ serves every backend.
 *
 * Inserts store version 1 whatever the struct says; updates are
 * compare-and-set on version and store expect_version + 1.
 *
 * Records are plain structs with fixed-size text fields: each limit is the
 * largest value the API accepts (validated in app/ before it reaches here),
 * so a store never truncates. Lists call a callback per row, in key order,
 * after the keyset cursor `after` (exclusive); the callback returning
 * non-zero stops the listing early.
 *
 * Durability: a commit that returned LM_QS_NONE or more is on stable storage
 * (SQLite WAL with synchronous=FULL; see docs/storage.md).
 */
#ifndef LM_STORE_H
#define LM_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/status.h"
#include "util/error.h"
#include "util/time.h"
#include "util/uuid.h"

enum lm_qs {
	LM_QS_HARD = -2, /* hard error: report, do not retry */
	LM_QS_SOFT = -1, /* transient (busy, serialization): roll back, retry */
	LM_QS_NONE = 0,  /* success, no rows */
	LM_QS_ONE = 1,   /* success, one row; larger values: that many rows */
};

struct lm_store;
struct lm_conn;

enum lm_store_flags {
	LM_STORE_CREATE = 1 << 0,   /* create the database when it does not exist */
	LM_STORE_READONLY = 1 << 1, /* refuse writes (used by `limes backup`) */
};

enum lm_conn_kind {
	LM_CONN_READ = 0,  /* a reader; many at once */
	LM_CONN_WRITE = 1, /* the writer; callers queue for it */
};

/* "sqlite:PATH", "sqlite::memory:" or a bare PATH (SQLite). */
int lm_store_open(const char *url, unsigned flags, struct lm_store **out, struct lm_error *err);
/* Every connection must have been released (freeing with one acquired aborts). */
void lm_store_free(struct lm_store *st);
/* Backend name ("sqlite"). */
const char *lm_store_backend(const struct lm_store *st);
/* 1 when the database had no schema at all before lm_store_migrate() ran. */
int lm_store_was_empty(const struct lm_store *st);

/* Current and latest known schema versions. */
int lm_store_schema_version(struct lm_store *st, int *current, int *latest, struct lm_error *err);
/*
 * Apply every migration newer than the database, each in its own
 * transaction, recording it in schema_version. A database whose version is
 * newer than this program knows fails with LM_ESCHEMA and is left untouched.
 */
int lm_store_migrate(struct lm_store *st, int *from, int *to, struct lm_error *err);
/*
 * A number that changes whenever any process commits to the database, cheap
 * enough to ask on every request: in-memory caches compare it to know when
 * another process (the `limes user` CLI) changed something. Equal numbers
 * mean nothing was committed in between; 0 means the backend cannot tell,
 * and callers must rely on expiry alone.
 */
uint64_t lm_store_data_version(struct lm_store *st);
/* Consistent online copy of the database to `path` (must not exist). */
int lm_store_backup(struct lm_store *st, const char *path, struct lm_error *err);

/* Blocks until a connection of that kind is free. Never NULL. */
struct lm_conn *lm_store_acquire(struct lm_store *st, enum lm_conn_kind kind);
void lm_store_release(struct lm_conn *c);
enum lm_qs lm_store_begin(struct lm_conn *c);
enum lm_qs lm_store_commit(struct lm_conn *c);
void lm_store_rollback(struct lm_conn *c);

/* Backend message for the last hard error on this connection (for logs; no personal data). */
const char *lm_store_errmsg(struct lm_conn *c);
/*
 * What the last hard error on this connection was, when it was the data's
 * fault rather than the database's: app/ answers 409 instead of 500.
 */
enum lm_conflict {
	LM_CONFLICT_NONE = 0,       /* any other error */
	LM_CONFLICT_UNIQUE = 1,     /* a duplicate code, username, pillar, id or idempotency key */
	LM_CONFLICT_REFERENCED = 2, /* a delete of something other records still refer to */
};
int lm_store_last_conflict(struct lm_conn *c);

/* Registry objects that can be deleted while nothing refers to them. */
enum lm_registry_kind {
	LM_REG_POINT = 1,
	LM_REG_SEGMENT = 2,
	LM_REG_MARKER = 3,
};
/*
 * Delete by id, compare-and-set on version: LM_QS_ONE when deleted,
 * LM_QS_NONE when the version moved or it is gone, LM_QS_HARD with
 * LM_CONFLICT_REFERENCED when status changes, inspections or markers still
 * point at it (history is never deleted with it).
 */
enum lm_qs lm_store_registry_delete(struct lm_conn *c, enum lm_registry_kind kind, const char *id,
                                    int64_t expect_version);

/*
 * Keyset page: rows whose key is > after ("" = from the start), at most
 * limit (limit <= 0 or a NULL page: no limit; app/ caps what clients ask).
 * A list callback may call the store on the same connection, but not the
 * same kind of list (its statement is still being stepped).
 */
struct lm_page {
	char after[80]; /* room for the longest key, a username (LM_USERNAME_MAX), and a NUL */
	int limit;
};

/* ---- agencies ---------------------------------------------------------- */

#define LM_CODE_MAX 32   /* short machine codes: agency codes, segment codes */
#define LM_NAME_MAX 160  /* display names in any script: 40 CJK/Burmese chars x 4 bytes */
#define LM_TEXT_MAX 1024 /* free-text reasons and notes */

struct lm_agency {
	char id[LM_UUID_STRLEN];
	char code[LM_CODE_MAX + 1]; /* unique, e.g. "CN-IMM-RUILI" */
	char name[LM_NAME_MAX + 1];
	char kind[LM_CODE_MAX + 1]; /* immigration, customs, police, army, local_government, ... */
	char country[4];            /* ISO 3166 alpha-2 */
	lm_time_ms created_at;
	int64_t version; /* bumped by every update; the HTTP ETag */
};

enum lm_qs lm_store_agency_insert(struct lm_conn *c, const struct lm_agency *a);
enum lm_qs lm_store_agency_get(struct lm_conn *c, const char *id_or_code, struct lm_agency *out);
/* Name, kind and country (the code is the agency's identity); compare-and-set on version. */
enum lm_qs lm_store_agency_update(struct lm_conn *c, const struct lm_agency *a,
                                  int64_t expect_version);
enum lm_qs lm_store_agency_list(struct lm_conn *c, const struct lm_page *pg,
                                int (*cb)(void *ctx, const struct lm_agency *a), void *ctx);

/* ---- users, assignments, sessions -------------------------------------- */

enum lm_role {
	LM_ROLE_OFFICER = 1,
	LM_ROLE_SUPERVISOR = 2,
	LM_ROLE_ANALYST = 3,
	LM_ROLE_ADMIN = 4,
	LM_ROLE_AUDITOR = 5,
	LM_ROLE_HUMANITARIAN = 6,
	LM_ROLE_SYSTEM = 7, /* the program itself (migrations, demo load); never a login */
};

#define LM_USERNAME_MAX 64
#define LM_PWHASH_MAX   128 /* crypto_pwhash_STRBYTES */

struct lm_user {
	char id[LM_UUID_STRLEN];
	char username[LM_USERNAME_MAX + 1]; /* unique, [a-z0-9._-] */
	char display_name[LM_NAME_MAX + 1];
	char agency_id[LM_UUID_STRLEN];
	enum lm_role role;
	int disabled;
	char pw_hash[LM_PWHASH_MAX + 1]; /* argon2id string; "" = cannot log in */
	lm_time_ms created_at;
	int64_t version;
};

enum lm_qs lm_store_user_insert(struct lm_conn *c, const struct lm_user *u);
/* Looks up by id or by username. */
enum lm_qs lm_store_user_get(struct lm_conn *c, const char *id_or_username, struct lm_user *out);
/* Compare-and-set on version: LM_QS_NONE when the stored version differs (stale). */
enum lm_qs lm_store_user_update(struct lm_conn *c, const struct lm_user *u, int64_t expect_version);
enum lm_qs lm_store_user_list(struct lm_conn *c, const struct lm_page *pg,
                              int (*cb)(void *ctx, const struct lm_user *u), void *ctx);

/* Crossing points an officer or supervisor works at (by crossing-point code). */
enum lm_qs lm_store_user_points_set(struct lm_conn *c, const char *user_id,
                                    const char *const *codes, size_t n);
enum lm_qs lm_store_user_points_list(struct lm_conn *c, const char *user_id,
                                     int (*cb)(void *ctx, const char *code), void *ctx);

#define LM_TOKEN_HASH_HEX 64 /* BLAKE2b-256 of the token, hex */

enum lm_session_kind {
	LM_SESSION_LOGIN = 1, /* from POST /sessions; hours */
	LM_SESSION_TOKEN = 2, /* an API token a user made for a program; days to a year */
};

#define LM_TOKEN_LABEL_MAX 80

struct lm_session {
	enum lm_session_kind kind;
	char label[LM_TOKEN_LABEL_MAX + 1]; /* what the token is for; "" for logins */
	char id[LM_UUID_STRLEN];
	char user_id[LM_UUID_STRLEN];
	char token_hash[LM_TOKEN_HASH_HEX + 1];
	lm_time_ms created_at;
	lm_time_ms expires_at;
	lm_time_ms revoked_at; /* LM_TIME_NONE while valid */
};

enum lm_qs lm_store_session_insert(struct lm_conn *c, const struct lm_session *s);
enum lm_qs lm_store_session_by_hash(struct lm_conn *c, const char *token_hash,
                                    struct lm_session *out);
enum lm_qs lm_store_session_revoke(struct lm_conn *c, const char *id, lm_time_ms at);
/* One session by id (LM_QS_NONE when there is none). */
enum lm_qs lm_store_session_get(struct lm_conn *c, const char *id, struct lm_session *out);
/* A user's sessions of one kind, oldest first. */
enum lm_qs lm_store_session_list(struct lm_conn *c, const char *user_id, enum lm_session_kind kind,
                                 int (*cb)(void *ctx, const struct lm_session *s), void *ctx);
/* Revoke every session of a user (disable, password reset). */
enum lm_qs lm_store_session_revoke_user(struct lm_conn *c, const char *user_id, lm_time_ms at);

/* ---- audit (append-only: there is no update or delete) ----------------- */

#define LM_ACTION_MAX  48
#define LM_PURPOSE_MAX 200
#define LM_IP_MAX      46

struct lm_audit {
	char id[LM_UUID_STRLEN];
	lm_time_ms at;
	char user_id[LM_UUID_STRLEN]; /* "" for the system or an anonymous caller */
	char username[LM_USERNAME_MAX + 1];
	enum lm_role role;
	char agency_id[LM_UUID_STRLEN];
	char action[LM_ACTION_MAX + 1];      /* "crossing_point.update", "user.read" ... */
	char object_type[LM_CODE_MAX + 1];   /* "user", "crossing_point" ... */
	char object_id[LM_UUID_STRLEN + 16]; /* id or code of the object */
	char ip[LM_IP_MAX + 1];
	char purpose[LM_PURPOSE_MAX + 1]; /* X-Purpose of a read of personal data */
	char request_id[LM_UUID_STRLEN];
	int outcome; /* HTTP-like status: 200, 403 ... */
};

struct lm_audit_filter {
	const char *user_id;     /* NULL = any */
	const char *object_type; /* NULL = any */
	const char *object_id;   /* NULL = any */
	lm_time_ms from;         /* LM_TIME_NONE = open */
	lm_time_ms until;        /* LM_TIME_NONE = open, exclusive */
};

enum lm_qs lm_store_audit_append(struct lm_conn *c, const struct lm_audit *a);
/* Newest first is not keyset-friendly; audit lists oldest first by id (UUIDv7 = time). */
enum lm_qs lm_store_audit_list(struct lm_conn *c, const struct lm_audit_filter *f,
                               const struct lm_page *pg,
                               int (*cb)(void *ctx, const struct lm_audit *a), void *ctx);

/* ---- idempotency keys -------------------------------------------------- */

#define LM_IDEM_KEY_MAX 128

/* The first outcome of a POST, recorded in the same transaction as its effect. */
struct lm_idem {
	char key[LM_IDEM_KEY_MAX + 1];
	char user_id[LM_UUID_STRLEN];
	char request_hash[LM_TOKEN_HASH_HEX + 1]; /* method, route and body */
	char object_type[LM_CODE_MAX + 1];
	char object_id[LM_UUID_STRLEN + 16];
	int status; /* HTTP status of the first response */
	lm_time_ms created_at;
};

enum lm_qs lm_store_idem_get(struct lm_conn *c, const char *user_id, const char *key,
                             struct lm_idem *out);
enum lm_qs lm_store_idem_insert(struct lm_conn *c, const struct lm_idem *r);

/*
 * Housekeeping on the writer: delete idempotency records created before
 * `idem_before` and sessions that expired before `sessions_before` (their
 * creation stays in the audit log). Returns the number of rows deleted.
 */
enum lm_qs lm_store_purge_expired(struct lm_conn *c, lm_time_ms idem_before,
                                  lm_time_ms sessions_before);

/* ---- border registry --------------------------------------------------- */

#define LM_POINT_CODE_MAX 5 /* UN/LOCODE style: country alpha-2 + 3 characters */
#define LM_TZ_MAX         64
#define LM_HOURS_TEXT_MAX 512 /* canonical core/hours text for 7 days x 4 spans */

struct lm_crossing_point {
	char id[LM_UUID_STRLEN];
	char code[LM_POINT_CODE_MAX + 1]; /* unique, e.g. "CNRUI" */
	char name[LM_NAME_MAX + 1];       /* this side's name, e.g. "Ruili" */
	char name_other[LM_NAME_MAX + 1]; /* the other side's name, e.g. "Muse" */
	char country[3];                  /* this side, alpha-2 */
	char country_other[3];            /* the other side, alpha-2 */
	char kind[LM_CODE_MAX + 1];       /* international, bilateral, local */
	unsigned modes;                   /* enum lm_mode_bits (core/status.h) */
	int lanes;
	double lon, lat;
	int position_approximate;
	char tz[LM_TZ_MAX + 1];            /* IANA zone of this side */
	char hours[LM_HOURS_TEXT_MAX + 1]; /* core/hours canonical text; "" = always open */
	int capacity_trucks_per_day;       /* 0 = not stated */
	int capacity_persons_per_day;      /* 0 = not stated */
	char note[LM_TEXT_MAX + 1];
	lm_time_ms created_at, updated_at;
	int64_t version;
};

enum lm_qs lm_store_point_insert(struct lm_conn *c, const struct lm_crossing_point *p);
enum lm_qs lm_store_point_get(struct lm_conn *c, const char *id_or_code,
                              struct lm_crossing_point *out);
enum lm_qs lm_store_point_update(struct lm_conn *c, const struct lm_crossing_point *p,
                                 int64_t expect_version);
/* Keyed by code. */
enum lm_qs lm_store_point_list(struct lm_conn *c, const struct lm_page *pg,
                               int (*cb)(void *ctx, const struct lm_crossing_point *p), void *ctx);

#define LM_GOODS_MAX 64

struct lm_status_change {
	char id[LM_UUID_STRLEN];
	char point_id[LM_UUID_STRLEN];
	enum lm_cp_state state;
	unsigned directions;          /* enum lm_dir_bits; 0 = every direction */
	unsigned modes;               /* enum lm_mode_bits; 0 = every mode */
	char goods[LM_GOODS_MAX + 1]; /* goods category; "" = all goods */
	char reason[LM_TEXT_MAX + 1];
	char set_by[LM_UUID_STRLEN]; /* user id */
	lm_time_ms from;
	lm_time_ms until; /* LM_TIME_NONE = open-ended */
	lm_time_ms created_at;
};

enum lm_qs lm_store_status_insert(struct lm_conn *c, const struct lm_status_change *s);
/* Every change of one point, ordered by (from, created_at). */
enum lm_qs lm_store_status_list(struct lm_conn *c, const char *point_id,
                                int (*cb)(void *ctx, const struct lm_status_change *s), void *ctx);

struct lm_segment {
	char id[LM_UUID_STRLEN];
	char code[LM_CODE_MAX + 1]; /* unique */
	char name[LM_NAME_MAX + 1];
	char country_a[3], country_b[3];
	char *wkt;       /* LINESTRING(lon lat, ...); owned: free with lm_segment_release */
	double length_m; /* geodesic length, computed by core/geo */
	char note[LM_TEXT_MAX + 1];
	lm_time_ms created_at, updated_at;
	int64_t version;
};

void lm_segment_release(struct lm_segment *s);
enum lm_qs lm_store_segment_insert(struct lm_conn *c, const struct lm_segment *s);
/* On LM_QS_ONE, out->wkt is a new heap string the caller releases. */
enum lm_qs lm_store_segment_get(struct lm_conn *c, const char *id_or_code, struct lm_segment *out);
enum lm_qs lm_store_segment_update(struct lm_conn *c, const struct lm_segment *s,
                                   int64_t expect_version);
/* The callback's wkt is borrowed for the duration of the call. Keyed by code. */
enum lm_qs lm_store_segment_list(struct lm_conn *c, const struct lm_page *pg,
                                 int (*cb)(void *ctx, const struct lm_segment *s), void *ctx);

enum lm_marker_condition {
	LM_MARKER_INTACT = 1,
	LM_MARKER_DAMAGED = 2,
	LM_MARKER_MISSING = 3,
	LM_MARKER_DISPLACED = 4,
};

struct lm_marker {
	char id[LM_UUID_STRLEN];
	char pillar[LM_CODE_MAX + 1]; /* pillar number as painted, unique, e.g. "127" or "127-1" (no
	                                 "/": a path segment) */
	char segment_id[LM_UUID_STRLEN]; /* "" = not on a known segment */
	double lon, lat;
	enum lm_marker_condition condition; /* as last found */
	char note[LM_TEXT_MAX + 1];
	lm_time_ms created_at, updated_at;
	int64_t version;
};

enum lm_qs lm_store_marker_insert(struct lm_conn *c, const struct lm_marker *m);
enum lm_qs lm_store_marker_get(struct lm_conn *c, const char *id_or_pillar, struct lm_marker *out);
enum lm_qs lm_store_marker_update(struct lm_conn *c, const struct lm_marker *m,
                                  int64_t expect_version);
/*
 * Only the condition found by an inspection (and updated_at, version): the
 * write every inspection makes, so it does not rewrite the whole row and its
 * indexes. Compare-and-set on version like the other updates.
 */
enum lm_qs lm_store_marker_set_condition(struct lm_conn *c, const char *id,
                                         enum lm_marker_condition condition, lm_time_ms at,
                                         int64_t expect_version);
/* Keyed by pillar. */
enum lm_qs lm_store_marker_list(struct lm_conn *c, const struct lm_page *pg,
                                int (*cb)(void *ctx, const struct lm_marker *m), void *ctx);

struct lm_inspection {
	char id[LM_UUID_STRLEN];
	char marker_id[LM_UUID_STRLEN];
	lm_time_ms inspected_at;
	char inspector_id[LM_UUID_STRLEN]; /* user who recorded it */
	enum lm_marker_condition condition;
	char note[LM_TEXT_MAX + 1];
	lm_time_ms created_at;
};

enum lm_qs lm_store_inspection_insert(struct lm_conn *c, const struct lm_inspection *i);
/*
 * When the marker was last inspected (the latest inspected_at recorded):
 * LM_QS_ONE with *at set, LM_QS_NONE when it never was. Inspections from a
 * post that was offline arrive late; only the latest one sets the condition.
 */
enum lm_qs lm_store_inspection_latest(struct lm_conn *c, const char *marker_id, lm_time_ms *at);
/* Oldest first. */
enum lm_qs lm_store_inspection_list(struct lm_conn *c, const char *marker_id,
                                    int (*cb)(void *ctx, const struct lm_inspection *i), void *ctx);

#endif
