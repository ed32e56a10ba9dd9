/*
 * app.c - the application object, the audited write transaction, and the
 * validation helpers every use case shares.
 */
#include "app/app_int.h"
#include "core/country.h"
#include "core/text.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Transient store errors (busy, serialization) are retried this many times. */
#define LM__WRITE_RETRIES 8

void lm_app_config_default(struct lm_app_config *cfg)
{
	cfg->token_ttl = 12LL * 3600 * 1000;
	cfg->login_free_failures = 5;
	cfg->login_max_wait = 15LL * 60 * 1000;
	cfg->cache_ttl = 5000;
	cfg->idem_ttl = 7LL * 86400 * 1000;
}

int lm_app_new(struct lm_store *st, const struct lm_app_config *cfg, struct lm_app **out,
               struct lm_error *err)
{
	struct lm_app *app = calloc(1, sizeof(*app));

	if (!app)
		return lm_error_set(err, LM_ENOMEM, "", "out of memory");
	app->st = st;
	if (cfg)
		app->cfg = *cfg;
	else
		lm_app_config_default(&app->cfg);
	if (app->cfg.token_ttl <= 0 || app->cfg.login_free_failures < 1 ||
	    app->cfg.login_max_wait <= 0 || app->cfg.cache_ttl < 0 || app->cfg.idem_ttl <= 0) {
		free(app);
		return lm_error_set(err, LM_EINVAL, "config",
		                    "token lifetime and login limits must be positive");
	}
	if (lm__hash_password("limes-dummy-password", app->dummy_hash)) {
		free(app);
		return lm_error_set(err, LM_ENOMEM, "", "cannot hash passwords (out of memory)");
	}
	if (app->cfg.cache_ttl > 0) {
		/* Slots: a few thousand staff sessions, a few dozen crossing points. */
		app->sessions =
		    lm_cache_new(4096, sizeof(struct lm__session_entry), app->cfg.cache_ttl);
		app->points =
		    lm_cache_new(1024, sizeof(struct lm_crossing_point), app->cfg.cache_ttl);
		if (!app->sessions || !app->points) {
			lm_cache_free(app->sessions);
			lm_cache_free(app->points);
			free(app);
			return lm_error_set(err, LM_ENOMEM, "", "out of memory");
		}
	}
	pthread_mutex_init(&app->throttle_lock, NULL);
	atomic_init(&app->db_errors, 0);
	atomic_init(&app->seen_version, lm_store_data_version(st));
	atomic_init(&app->n_commits, 0);
	atomic_init(&app->n_writes, 0);
	atomic_init(&app->n_failed, 0);
	atomic_init(&app->n_queued, 0);
	if (lm__writer_start(app)) {
		lm_app_free(app);
		return lm_error_set(err, LM_ENOMEM, "", "cannot start the writer thread");
	}
	*out = app;
	return 0;
}

void lm_app_free(struct lm_app *app)
{
	if (!app)
		return;
	/* Drains the queue first: every submitted write is answered. */
	lm__writer_stop(app);
	pthread_mutex_destroy(&app->throttle_lock);
	lm_cache_free(app->sessions);
	lm_cache_free(app->points);
	free(app);
}

void lm__caches_sync(struct lm_app *app)
{
	lm_time_ms now = lm_time_now(), last = atomic_load(&app->synced_at);
	uint_fast64_t v, seen;

	/* At most one look per millisecond: a change by another process shows within
	 * 1 ms, and a request that asks twice (token, then record) pays once. */
	if (now == last || !atomic_compare_exchange_strong(&app->synced_at, &last, now))
		return;
	v = lm_store_data_version(app->st);
	seen = atomic_load(&app->seen_version);
	if (v == 0 || v == seen)
		return;
	/* One thread clears; the others see the new version and go on. */
	if (atomic_compare_exchange_strong(&app->seen_version, &seen, v)) {
		lm_cache_clear(app->sessions);
		lm_cache_clear(app->points);
	}
}

unsigned long lm_app_db_errors(struct lm_app *app)
{
	return atomic_load(&app->db_errors);
}

void lm_actor_system(struct lm_actor *a)
{
	memset(a, 0, sizeof(*a));
	a->role = LM_ROLE_SYSTEM;
	snprintf(a->username, sizeof(a->username), "system");
	snprintf(a->ip, sizeof(a->ip), "local");
}

static const char *const role_names[] = {
    [LM_ROLE_OFFICER] = "officer", [LM_ROLE_SUPERVISOR] = "supervisor",
    [LM_ROLE_ANALYST] = "analyst", [LM_ROLE_ADMIN] = "admin",
    [LM_ROLE_AUDITOR] = "auditor", [LM_ROLE_HUMANITARIAN] = "humanitarian",
    [LM_ROLE_SYSTEM] = "system",
};

const char *lm_role_name(enum lm_role r)
{
	if (r < LM_ROLE_OFFICER || r > LM_ROLE_SYSTEM)
		return "unknown";
	return role_names[r];
}

int lm_role_parse(const char *s, enum lm_role *out)
{
	for (int r = LM_ROLE_OFFICER; r <= LM_ROLE_HUMANITARIAN; r++) {
		if (strcmp(s, role_names[r]) == 0) {
			*out = (enum lm_role)r;
			return 0;
		}
	}
	return LM_EINVAL;
}

int lm__qs(struct lm_app *app, struct lm_conn *c, enum lm_qs qs, const char *what,
           struct lm_error *err)
{
	if (qs >= 0)
		return 0;
	if (qs == LM_QS_SOFT)
		return lm_error_set(err, LM_EBUSY, "", "the database is busy, retry (%s)", what);
	switch (lm_store_last_conflict(c)) {
	case LM_CONFLICT_UNIQUE:
		return lm_error_set(err, LM_EEXISTS, "", "%s already exists", what);
	case LM_CONFLICT_REFERENCED:
		return lm_error_set(
		    err, LM_ECONFLICT, "",
		    "%s is still referred to by other records (its history is kept; "
		    "it cannot be deleted)",
		    what);
	default:
		break;
	}
	atomic_fetch_add(&app->db_errors, 1);
	/* The backend's message says what broke ("disk I/O error") and holds no record data;
	 * http/ logs it and never shows it to the client. */
	return lm_error_set(err, LM_EDB, "", "database error on %s: %s", what, lm_store_errmsg(c));
}

void lm__audit_fill(struct lm_audit *ev, const struct lm_actor *a, const char *action,
                    const char *object_type, const char *object_id, int outcome)
{
	memset(ev, 0, sizeof(*ev));
	lm_uuid_v7(ev->id);
	ev->at = lm_time_now();
	snprintf(ev->user_id, sizeof(ev->user_id), "%s", a->user_id);
	snprintf(ev->username, sizeof(ev->username), "%s", a->username);
	ev->role = a->role;
	snprintf(ev->agency_id, sizeof(ev->agency_id), "%s", a->agency_id);
	snprintf(ev->action, sizeof(ev->action), "%s", action);
	snprintf(ev->object_type, sizeof(ev->object_type), "%s", object_type);
	snprintf(ev->object_id, sizeof(ev->object_id), "%s", object_id ? object_id : "");
	snprintf(ev->ip, sizeof(ev->ip), "%s", a->ip);
	snprintf(ev->purpose, sizeof(ev->purpose), "%s", a->purpose);
	snprintf(ev->request_id, sizeof(ev->request_id), "%s", a->request_id);
	ev->outcome = outcome;
}

/* Append one audit event in its own transaction (refusals, reads). */
int lm__audit_alone(struct lm_app *app, const struct lm_actor *a, const char *action,
                    const char *object_type, const char *object_id, int outcome,
                    struct lm_error *err)
{
	struct lm_audit ev;
	int rc = LM_EBUSY;

	lm__audit_fill(&ev, a, action, object_type, object_id, outcome);
	for (int attempt = 0; attempt < LM__WRITE_RETRIES && rc == LM_EBUSY; attempt++) {
		struct lm_conn *c = lm_store_acquire(app->st, LM_CONN_WRITE);
		rc = lm__qs(app, c, lm_store_audit_append(c, &ev), "audit event", err);
		lm_store_release(c);
	}
	return rc;
}

int lm__require_purpose(const struct lm_actor *a, struct lm_error *err)
{
	if (a->role != LM_ROLE_SYSTEM && a->purpose[0] == '\0')
		return lm_error_set(err, LM_EINVAL, "X-Purpose",
		                    "reading personal data requires a purpose (X-Purpose header)");
	return 0;
}

int lm__audit_read(struct lm_app *app, const struct lm_actor *a, const char *action,
                   const char *object_type, const char *object_id, struct lm_error *err)
{
	return lm__audit_alone(app, a, action, object_type, object_id, 200, err);
}

int lm__require(struct lm_app *app, const struct lm_actor *a, enum lm__perm p, const char *action,
                const char *object_type, const char *object_id, struct lm_error *err)
{
	struct lm_error ignored;

	if (lm__allowed(a->role, p))
		return 0;
	/* A refusal is itself worth auditing; failing to record it must not hide the 403. */
	lm_error_init(&ignored);
	lm__audit_alone(app, a, action, object_type, object_id, 403, &ignored);
	return lm_error_set(err, LM_EFORBIDDEN, "", "the %s role may not do %s",
	                    lm_role_name(a->role), action);
}

void lm__key(char dst[LM__KEY_MAX], const char *key)
{
	size_t n = strlen(key);

	if (n >= LM__KEY_MAX)
		n = 0;
	memcpy(dst, key, n);
	dst[n] = '\0';
}

int lm__copy(char *dst, size_t cap, const char *src, const char *field, struct lm_error *err)
{
	size_t n = strlen(src);

	if (n >= cap)
		return lm_error_set(err, LM_EINVAL, field, "longer than %zu bytes", cap - 1);
	memcpy(dst, src, n + 1);
	return 0;
}

int lm__check_text(const char *s, size_t max, int required, const char *field, struct lm_error *err)
{
	size_t n = strlen(s), bad;

	if (required && n == 0)
		return lm_error_set(err, LM_EINVAL, field, "is required and may not be empty");
	if (n > max)
		return lm_error_set(err, LM_EINVAL, field, "longer than %zu bytes", max);
	if (lm_text_check(s, n, max >= LM_TEXT_MAX ? LM_TEXT_MULTILINE : 0, &bad))
		return lm_error_set(err, LM_EINVAL, field,
		                    "invalid UTF-8 or a control character at byte %zu", bad);
	return 0;
}

int lm__check_code(const char *s, const char *field, struct lm_error *err)
{
	size_t n = strlen(s);

	if (n == 0 || n > LM_CODE_MAX)
		return lm_error_set(err, LM_EINVAL, field, "must be 1 to %d characters",
		                    LM_CODE_MAX);
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		/* No '/': codes are path segments of the API (/markers/{pillar}). */
		if (!(isupper(ch) || isdigit(ch) || ch == '-' || ch == '_' || ch == '.'))
			return lm_error_set(err, LM_EINVAL, field,
			                    "may hold only A-Z, 0-9 and - _ . (found '%c')",
			                    isprint(ch) ? ch : '?');
	}
	return 0;
}

int lm__check_country(const char *s, const char *field, struct lm_error *err)
{
	if (strlen(s) != 2 || !lm_country_find(s))
		return lm_error_set(err, LM_EINVAL, field,
		                    "'%.8s' is not an ISO 3166-1 alpha-2 country code", s);
	return 0;
}

int lm_app_health(struct lm_app *app, struct lm_error *err)
{
	struct lm_conn *c = lm_store_acquire(app->st, LM_CONN_READ);
	struct lm_agency ag;
	enum lm_qs qs = lm_store_agency_get(c, "-", &ag);
	int rc = lm__qs(app, c, qs, "health check", err);

	lm_store_release(c);
	return rc;
}
