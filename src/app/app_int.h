/*
 * app_int.h - private layout shared by the files of app/.
 */
#ifndef LM_APP_INT_H
#define LM_APP_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "app/app.h"
#include "util/cache.h"

/* Login throttle: failures per account and per address, kept in memory. */
#define LM__THROTTLE_SLOTS 1024

struct lm__throttle_slot {
	char key[LM_USERNAME_MAX + LM_IP_MAX + 4]; /* "u:name" or "a:addr"; "" = free */
	int failures;
	lm_time_ms last_failure;
	lm_time_ms next_allowed;
};

/* What a cached session resolves to. */
struct lm__session_entry {
	struct lm_actor actor;
	lm_time_ms expires_at;
};

struct lm_app {
	struct lm_store *st;
	struct lm_app_config cfg;
	pthread_mutex_t throttle_lock;
	struct lm__throttle_slot throttle[LM__THROTTLE_SLOTS];
	atomic_ulong db_errors;
	char dummy_hash[LM_PWHASH_MAX + 1]; /* verified against when a username is unknown */
	struct lm_cache *sessions;          /* token hash -> struct lm__session_entry */
	struct lm_cache *points;            /* code or id -> struct lm_crossing_point */
	atomic_uint_fast64_t seen_version;  /* store data version the caches reflect */
	atomic_ulong n_commits, n_writes, n_failed; /* lm_app_write_stats */
	atomic_ulong n_queued;
	_Atomic lm_time_ms synced_at; /* when lm__caches_sync last looked */

	/* Write queue of the group-commit writer (writer.c). */
	pthread_mutex_t q_lock;
	pthread_cond_t q_nonempty; /* writer waits for jobs */
	struct lm__job *q_head, *q_tail;
	int q_stop;
	int writer_running;
	pthread_t writer;
};

/* Store a new password for user `key` (already checked) and revoke their sessions. */
int lm__set_password(struct lm_app *app, const struct lm_actor *a, const char *key,
                     const char *password, const char *action, struct lm_error *err);
int lm__check_password(const char *pw, struct lm_error *err);
/* argon2id string for a password (libsodium's interactive limits). */
int lm__hash_password(const char *password, char out[LM_PWHASH_MAX + 1]);

/* What a role may do. Checked by lm__require(); the matrix is in perm.c. */
enum lm__perm {
	LM_PERM_REGISTRY_READ,    /* crossing points, status, segments, markers */
	LM_PERM_REGISTRY_WRITE,   /* create / change points, segments, markers */
	LM_PERM_STATUS_WRITE,     /* open / restrict / close a crossing point */
	LM_PERM_INSPECTION_WRITE, /* record a boundary-marker inspection */
	LM_PERM_AGENCY_READ,
	LM_PERM_AGENCY_WRITE,
	LM_PERM_USER_READ, /* staff accounts are personal data: purpose required */
	LM_PERM_USER_WRITE,
	LM_PERM_AUDIT_READ,
	LM_PERM__COUNT
};

int lm__allowed(enum lm_role role, enum lm__perm p);
/*
 * 0 when the actor may; otherwise records the refusal in the audit log and
 * returns LM_EFORBIDDEN with a message naming the role.
 */
int lm__require(struct lm_app *app, const struct lm_actor *a, enum lm__perm p, const char *action,
                const char *object_type, const char *object_id, struct lm_error *err);
/* Supervisors act only at the crossing points they are assigned to. */
int lm__require_point(struct lm_app *app, struct lm_conn *c, const struct lm_actor *a,
                      const char *point_code, const char *action, struct lm_error *err);

/* Turn a store status into an LM_E code (0 for success), counting hard errors. */
int lm__qs(struct lm_app *app, struct lm_conn *c, enum lm_qs qs, const char *what,
           struct lm_error *err);

/*
 * One audited write. `fn` runs inside a write transaction and names the
 * object it created or changed in `object_id`. lm__write() adds the audit
 * event and the idempotency record to the same transaction, commits, and
 * retries the whole thing on transient store errors.
 */
struct lm__write {
	const char *action;      /* "crossing_point.create" */
	const char *object_type; /* "crossing_point" */
	const struct lm_idem_req *idem;
	int (*fn)(struct lm_app *app, struct lm_conn *c, void *arg, char *object_id,
	          size_t object_id_len, struct lm_error *err);
	void *arg;
	unsigned invalidates; /* enum lm__inv: caches this write may make stale */
};

enum lm__inv {
	LM__INV_SESSIONS = 1 << 0, /* logout, user changes, password changes */
	LM__INV_POINTS = 1 << 1,   /* crossing point created or changed */
};

int lm__write(struct lm_app *app, const struct lm_actor *a, const struct lm__write *w,
              struct lm_created *out, struct lm_error *err);

/*
 * Drop the caches when anything was committed to the database since they were
 * filled, by this process or another one (`limes user disable` from a shell
 * takes effect on the next request).
 */
void lm__caches_sync(struct lm_app *app);

/* writer.c: the group-commit writer thread. */
struct lm__job;
int lm__writer_start(struct lm_app *app);
void lm__writer_stop(struct lm_app *app);

/* app.c: audit events outside lm__write (refusals, reads, logins). */
void lm__audit_fill(struct lm_audit *ev, const struct lm_actor *a, const char *action,
                    const char *object_type, const char *object_id, int outcome);
int lm__audit_alone(struct lm_app *app, const struct lm_actor *a, const char *action,
                    const char *object_type, const char *object_id, int outcome,
                    struct lm_error *err);
/*
 * Reads of personal data: lm__require_purpose() before reading (LM_EINVAL
 * naming X-Purpose when the actor gave none), lm__audit_read() after it.
 */
int lm__require_purpose(const struct lm_actor *a, struct lm_error *err);
int lm__audit_read(struct lm_app *app, const struct lm_actor *a, const char *action,
                   const char *object_type, const char *object_id, struct lm_error *err);

/*
 * Lookup keys (an id, code, username or pillar) are copied first, so a caller
 * may pass a field of the very struct the lookup fills - the usual re-read
 * after an update. A key too long to be any of them is copied as "", which
 * finds nothing.
 */
#define LM__KEY_MAX (LM_USERNAME_MAX + 1)
void lm__key(char dst[LM__KEY_MAX], const char *key);

/* Copy a NUL-terminated string into a fixed field; LM_EINVAL naming `field` when too long. */
int lm__copy(char *dst, size_t cap, const char *src, const char *field, struct lm_error *err);

/* Validation shared by use cases. */
int lm__check_text(const char *s, size_t max, int required, const char *field,
                   struct lm_error *err);
int lm__check_code(const char *s, const char *field, struct lm_error *err);
int lm__check_country(const char *s, const char *field, struct lm_error *err);

#endif
