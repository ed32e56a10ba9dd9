/*
 * app.h - the use cases of limes: who may do what, and the audit trail.
 *
 * app/ is the only layer that decides authorisation and the only one that
 * writes audit events. http/ and cli/ parse input into the plain structs
 * below, call one function, and format the result; neither touches the store.
 *
 * USAGE:
 *	struct lm_app *app;
 *	lm_app_new(store, &cfg, &app, &err);
 *	struct lm_actor me;
 *	if (lm_app_authenticate(app, bearer_token, &me) == 0)
 *		rc = lm_app_point_get(app, &me, "CNRUI", &point, &err);
 *	lm_app_free(app);
 *
 * Every function returns 0 or a negative LM_E* code and fills `err` with
 * the field and reason. The codes map one-to-one to HTTP statuses in http/:
 * INVAL 422, NOTFOUND 404, EXISTS/CONFLICT 409, STALE 412, AUTH 401,
 * FORBIDDEN 403, RATELIMIT 429, BUSY 503, everything else 500.
 *
 * Writes run in one store transaction together with their audit event and,
 * when the caller passes an idempotency key, the record of their first
 * outcome: a retried POST finds that record and returns the same object
 * (`struct lm_created.replayed`), never a duplicate. Transient store errors
 * are retried here, a bounded number of times.
 *
 * Reads of personal data (user accounts now; travellers later) require a
 * purpose in the actor and are audited like writes.
 */
#ifndef LM_APP_H
#define LM_APP_H

#include <stddef.h>

#include "core/hours.h"
#include "core/status.h"
#include "store/store.h"
#include "util/error.h"
#include "util/time.h"

struct lm_app;

struct lm_app_config {
	lm_time_ms token_ttl;      /* session lifetime; default 12 h (one shift and a margin) */
	int login_free_failures;   /* failed logins allowed before slowing down; default 5 */
	lm_time_ms login_max_wait; /* cap of the back-off, so the real user is never locked out
	                              for long; default 15 min */
	lm_time_ms idem_ttl;       /* how long an Idempotency-Key is remembered; remote posts retry
	                      over links that fail for days, so default 7 days */
	lm_time_ms cache_ttl;      /* how long a session or crossing point is served from memory;
	                              bounds how late another process's change (the `limes user`
	                              CLI) is seen; default 5 s; 0 disables the cache */
};

void lm_app_config_default(struct lm_app_config *cfg);
int lm_app_new(struct lm_store *st, const struct lm_app_config *cfg, struct lm_app **out,
               struct lm_error *err);
void lm_app_free(struct lm_app *app);

/* Who is calling, from where and why. Filled by lm_app_authenticate(). */
struct lm_actor {
	char user_id[LM_UUID_STRLEN];
	char username[LM_USERNAME_MAX + 1];
	char agency_id[LM_UUID_STRLEN];
	enum lm_role role;
	char session_id[LM_UUID_STRLEN];
	char ip[LM_IP_MAX + 1];
	char purpose[LM_PURPOSE_MAX + 1]; /* X-Purpose; required to read personal data */
	char request_id[LM_UUID_STRLEN];
};

/* The program itself (CLI administration, demo load): allowed everything, audited as "system". */
void lm_actor_system(struct lm_actor *a);

const char *lm_role_name(enum lm_role r);
int lm_role_parse(const char *s, enum lm_role *out); /* login roles only, not "system" */

/* An Idempotency-Key and a hash of the request it came with. key NULL or "" = none. */
struct lm_idem_req {
	const char *key;
	char request_hash[LM_TOKEN_HASH_HEX + 1];
};

struct lm_created {
	char id[LM_UUID_STRLEN + 16]; /* id (or natural key) of the object created */
	int replayed;                 /* 1 when this answers a retry of an earlier request */
	int status;                   /* HTTP status of the first answer (201) */
};

/* ---- sessions ------------------------------------------------------------ */

#define LM_TOKEN_HEX 64 /* 256 random bits */

struct lm_login {
	char token[LM_TOKEN_HEX + 1];
	lm_time_ms expires_at;
	struct lm_user user; /* pw_hash cleared */
};

/*
 * On LM_EAUTH the reason is deliberately vague (no user enumeration).
 * On LM_ERATELIMIT *retry_after says how long to wait.
 */
int lm_app_login(struct lm_app *app, const char *username, const char *password, const char *ip,
                 const char *request_id, struct lm_login *out, lm_time_ms *retry_after,
                 struct lm_error *err);
/* Fills the identity part of `out` (ip, purpose and request_id are left to the caller). */
int lm_app_authenticate(struct lm_app *app, const char *token, struct lm_actor *out);
int lm_app_logout(struct lm_app *app, const struct lm_actor *a, struct lm_error *err);

/*
 * API tokens: long-lived bearer tokens a user makes for a program (a metrics
 * scraper, a sync agent, a script). A token acts with its owner's role and
 * agency, is shown once at creation, stored only as a hash, and is revoked
 * with its owner's sessions when the account is disabled or its password
 * changes. Users see and revoke only their own tokens.
 */
#define LM_TOKEN_DAYS_MAX 365

struct lm_token_view {
	struct lm_session s;          /* token_hash cleared */
	char token[LM_TOKEN_HEX + 1]; /* only right after creation; "" otherwise */
};

int lm_app_token_create(struct lm_app *app, const struct lm_actor *a, const char *label, int days,
                        struct lm_token_view *out, struct lm_error *err);
int lm_app_token_list(struct lm_app *app, const struct lm_actor *a,
                      int (*cb)(void *ctx, const struct lm_token_view *t), void *ctx,
                      struct lm_error *err);
int lm_app_token_revoke(struct lm_app *app, const struct lm_actor *a, const char *id,
                        struct lm_error *err);

/* ---- agencies and users -------------------------------------------------- */

int lm_app_agency_create(struct lm_app *app, const struct lm_actor *a,
                         const struct lm_idem_req *idem, const struct lm_agency *in,
                         struct lm_created *out, struct lm_error *err);
int lm_app_agency_get(struct lm_app *app, const struct lm_actor *a, const char *key,
                      struct lm_agency *out, struct lm_error *err);
/* Name, kind and country; the code never changes. LM_ESTALE when the version moved. */
int lm_app_agency_update(struct lm_app *app, const struct lm_actor *a, const struct lm_agency *in,
                         int64_t expect_version, struct lm_error *err);
int lm_app_agency_list(struct lm_app *app, const struct lm_actor *a, const struct lm_page *pg,
                       int (*cb)(void *ctx, const struct lm_agency *ag), void *ctx,
                       struct lm_error *err);

#define LM_USER_POINTS_MAX 64 /* crossing points one person can be assigned to */
#define LM_PASSWORD_MIN    12
#define LM_PASSWORD_MAX    256 /* argon2 cost stays bounded */

/* A user as the API shows it: the account and its crossing-point assignments. */
struct lm_user_view {
	struct lm_user user; /* pw_hash always "" here */
	char agency_code[LM_CODE_MAX + 1];
	char points[LM_USER_POINTS_MAX][LM_POINT_CODE_MAX + 1];
	size_t npoints;
};

/*
 * in->user.agency_id may hold the agency's id or code. password "" = cannot log in yet.
 * On success `in` is updated to the stored account (id, agency id and code, version),
 * so the caller can answer without reading personal data back.
 */
int lm_app_user_create(struct lm_app *app, const struct lm_actor *a, const struct lm_idem_req *idem,
                       struct lm_user_view *in, const char *password, struct lm_created *out,
                       struct lm_error *err);
int lm_app_user_get(struct lm_app *app, const struct lm_actor *a, const char *key,
                    struct lm_user_view *out, struct lm_error *err);
int lm_app_user_list(struct lm_app *app, const struct lm_actor *a, const struct lm_page *pg,
                     int (*cb)(void *ctx, const struct lm_user_view *u), void *ctx,
                     struct lm_error *err);
/* Replace display name, role, disabled flag, agency and points; LM_ESTALE when version moved. */
int lm_app_user_update(struct lm_app *app, const struct lm_actor *a, const struct lm_user_view *in,
                       int64_t expect_version, struct lm_error *err);
/* Set a new password and revoke the user's sessions. */
int lm_app_user_set_password(struct lm_app *app, const struct lm_actor *a, const char *key,
                             const char *password, struct lm_error *err);
/*
 * The caller changes their own password, proving the current one (wrong
 * guesses count against the login throttle). Every session of theirs is
 * revoked, this one included: they log in again with the new password.
 * `ip` is where the request came from, for the throttle.
 */
int lm_app_change_own_password(struct lm_app *app, const struct lm_actor *a, const char *current,
                               const char *password, lm_time_ms *retry_after, struct lm_error *err);
/* Generate a readable random password of `len` characters into out (len + 1 bytes). */
void lm_app_random_password(char *out, size_t len);

/* ---- border registry ----------------------------------------------------- */

int lm_app_point_create(struct lm_app *app, const struct lm_actor *a,
                        const struct lm_idem_req *idem, const struct lm_crossing_point *in,
                        struct lm_created *out, struct lm_error *err);
int lm_app_point_get(struct lm_app *app, const struct lm_actor *a, const char *key,
                     struct lm_crossing_point *out, struct lm_error *err);
int lm_app_point_list(struct lm_app *app, const struct lm_actor *a, const struct lm_page *pg,
                      int (*cb)(void *ctx, const struct lm_crossing_point *p), void *ctx,
                      struct lm_error *err);
int lm_app_point_update(struct lm_app *app, const struct lm_actor *a,
                        const struct lm_crossing_point *in, int64_t expect_version,
                        struct lm_error *err);

/* in->point_id may hold the point's id or code. */
/* On success (not a replay) `in` becomes the stored change (id, point id, set_by, times). */
int lm_app_status_set(struct lm_app *app, const struct lm_actor *a, const struct lm_idem_req *idem,
                      struct lm_status_change *in, struct lm_created *out, struct lm_error *err);

struct lm_status_report {
	struct lm_crossing_point point;
	struct lm_status_answer answer;     /* combined over the parts (core/status.h) */
	struct lm_status_change decided_by; /* valid when answer.rule >= 0 */
	struct lm_status_part parts[LM_STATUS_PARTS_MAX]; /* per direction and mode */
	size_t nparts;
};

int lm_app_status_at(struct lm_app *app, const struct lm_actor *a, const char *point_key,
                     const struct lm_status_query *q, struct lm_status_report *out,
                     struct lm_error *err);

/* History of one point: every change, in order, and the closures per traffic mode. */
struct lm_status_history {
	struct lm_crossing_point point;
	struct lm_status_change *changes;
	size_t nchanges;
	/* closures[0] all traffic, then one list per mode bit (pedestrian, vehicle, cargo). */
	struct lm_interval *closures[4];
	size_t nclosures[4];
	lm_time_ms now;
};

int lm_app_status_history(struct lm_app *app, const struct lm_actor *a, const char *point_key,
                          struct lm_status_history *out, struct lm_error *err);
void lm_status_history_release(struct lm_status_history *h);

/* in->wkt must be set; length_m is computed here. */
int lm_app_segment_create(struct lm_app *app, const struct lm_actor *a,
                          const struct lm_idem_req *idem, const struct lm_segment *in,
                          struct lm_created *out, struct lm_error *err);
/* On success out->wkt is a heap string: lm_segment_release(out). */
int lm_app_segment_get(struct lm_app *app, const struct lm_actor *a, const char *key,
                       struct lm_segment *out, struct lm_error *err);
int lm_app_segment_list(struct lm_app *app, const struct lm_actor *a, const struct lm_page *pg,
                        int (*cb)(void *ctx, const struct lm_segment *s), void *ctx,
                        struct lm_error *err);
int lm_app_segment_update(struct lm_app *app, const struct lm_actor *a, const struct lm_segment *in,
                          int64_t expect_version, struct lm_error *err);

/* in->segment_id may hold the segment's id or code, or "". */
int lm_app_marker_create(struct lm_app *app, const struct lm_actor *a,
                         const struct lm_idem_req *idem, const struct lm_marker *in,
                         struct lm_created *out, struct lm_error *err);
int lm_app_marker_get(struct lm_app *app, const struct lm_actor *a, const char *key,
                      struct lm_marker *out, struct lm_error *err);
int lm_app_marker_list(struct lm_app *app, const struct lm_actor *a, const struct lm_page *pg,
                       int (*cb)(void *ctx, const struct lm_marker *m), void *ctx,
                       struct lm_error *err);
int lm_app_marker_update(struct lm_app *app, const struct lm_actor *a, const struct lm_marker *in,
                         int64_t expect_version, struct lm_error *err);
/* Records an inspection and sets the marker's condition to what was found, unless a later
 * inspection (by inspected_at) is already recorded. in->marker_id may hold the marker's id or
 * pillar; on success (not a replay) `in` becomes the stored record. */
int lm_app_inspection_add(struct lm_app *app, const struct lm_actor *a,
                          const struct lm_idem_req *idem, struct lm_inspection *in,
                          struct lm_created *out, struct lm_error *err);
int lm_app_inspection_list(struct lm_app *app, const struct lm_actor *a, const char *marker_key,
                           int (*cb)(void *ctx, const struct lm_inspection *i), void *ctx,
                           struct lm_error *err);

/*
 * Delete a crossing point, segment or marker nothing refers to any more (one
 * registered by mistake): admin only, If-Match version required, audited.
 * LM_ECONFLICT when its history (status changes, inspections) or markers
 * still refer to it: that history is never deleted with it.
 */
int lm_app_registry_delete(struct lm_app *app, const struct lm_actor *a, enum lm_registry_kind kind,
                           const char *key, int64_t expect_version, struct lm_error *err);

const char *lm_marker_condition_name(enum lm_marker_condition c);
int lm_marker_condition_parse(const char *s, enum lm_marker_condition *out);

/* ---- audit --------------------------------------------------------------- */

int lm_app_audit_list(struct lm_app *app, const struct lm_actor *a, const struct lm_audit_filter *f,
                      const struct lm_page *pg, int (*cb)(void *ctx, const struct lm_audit *ev),
                      void *ctx, struct lm_error *err);

/* ---- health -------------------------------------------------------------- */

/* 0 when the database answers. */
int lm_app_health(struct lm_app *app, struct lm_error *err);
/* Count of store hard errors since start (for /metrics). */
unsigned long lm_app_db_errors(struct lm_app *app);

/* How the group-commit writer has been doing since start (for /metrics). */
struct lm_app_write_stats {
	unsigned long commits;    /* transactions committed by the writer */
	unsigned long writes;     /* audited writes they carried */
	unsigned long failed;     /* writes answered with an error */
	unsigned long queued_now; /* writes waiting for the writer at this moment */
};
void lm_app_write_stats(struct lm_app *app, struct lm_app_write_stats *out);

#endif
