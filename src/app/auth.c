/*
 * auth.c - logins, bearer tokens and the login throttle.
 *
 * A token is 256 random bits shown to the client once, as hex; the store
 * keeps only its BLAKE2b-256 hash, so a copy of the database does not hold
 * usable tokens. Passwords are argon2id strings (libsodium).
 *
 * Throttle states, per key ("u:<username>" and "a:<address>"):
 *	free     failures <= login_free_failures: no wait
 *	slowed   each further failure doubles the wait (1 s, 2 s, 4 s ...)
 *	         up to login_max_wait; login attempts before next_allowed get
 *	         LM_ERATELIMIT and do not even check the password
 *	reset    a successful login clears the account's key; a key whose last
 *	         failure is older than login_max_wait is forgotten
 * So an attacker can slow an account down, never lock its owner out for
 * longer than login_max_wait.
 */
#include "app/app_int.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

static struct lm__throttle_slot *throttle_slot(struct lm_app *app, const char *key, int create,
                                               lm_time_ms now)
{
	uint64_t h = 1469598103934665603ULL;
	struct lm__throttle_slot *victim = NULL;

	for (const char *p = key; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	for (unsigned i = 0; i < 16; i++) {
		struct lm__throttle_slot *s = &app->throttle[(h + i) % LM__THROTTLE_SLOTS];
		int stale = s->key[0] && now - s->last_failure > app->cfg.login_max_wait;
		if (s->key[0] && !stale && strcmp(s->key, key) == 0)
			return s;
		if (!victim && (!s->key[0] || stale))
			victim = s;
	}
	if (!create)
		return NULL;
	if (!victim) /* a full neighbourhood: reuse the oldest-looking first slot */
		victim = &app->throttle[h % LM__THROTTLE_SLOTS];
	memset(victim, 0, sizeof(*victim));
	snprintf(victim->key, sizeof(victim->key), "%s", key);
	return victim;
}

static void throttle_keys(char ukey[], size_t ulen, char akey[], size_t alen, const char *username,
                          const char *ip)
{
	snprintf(ukey, ulen, "u:%s", username);
	snprintf(akey, alen, "a:%s", ip);
}

/* Wait still owed by either key, or 0. */
static lm_time_ms throttle_wait(struct lm_app *app, const char *username, const char *ip,
                                lm_time_ms now)
{
	char uk[LM_USERNAME_MAX + 4], ak[LM_IP_MAX + 4];
	lm_time_ms wait = 0;

	throttle_keys(uk, sizeof(uk), ak, sizeof(ak), username, ip);
	pthread_mutex_lock(&app->throttle_lock);
	for (int i = 0; i < 2; i++) {
		struct lm__throttle_slot *s = throttle_slot(app, i ? ak : uk, 0, now);
		if (s && s->next_allowed > now && s->next_allowed - now > wait)
			wait = s->next_allowed - now;
	}
	pthread_mutex_unlock(&app->throttle_lock);
	return wait;
}

static void throttle_fail(struct lm_app *app, const char *username, const char *ip, lm_time_ms now)
{
	char uk[LM_USERNAME_MAX + 4], ak[LM_IP_MAX + 4];

	throttle_keys(uk, sizeof(uk), ak, sizeof(ak), username, ip);
	pthread_mutex_lock(&app->throttle_lock);
	for (int i = 0; i < 2; i++) {
		struct lm__throttle_slot *s = throttle_slot(app, i ? ak : uk, 1, now);
		int over;
		/* Addresses are shared by a whole post behind NAT: give them more room. */
		int free_failures = app->cfg.login_free_failures * (i ? 4 : 1);
		s->failures++;
		s->last_failure = now;
		over = s->failures - free_failures;
		if (over > 0) {
			lm_time_ms wait = 1000;
			while (--over > 0 && wait < app->cfg.login_max_wait)
				wait *= 2;
			if (wait > app->cfg.login_max_wait)
				wait = app->cfg.login_max_wait;
			s->next_allowed = now + wait;
		}
	}
	pthread_mutex_unlock(&app->throttle_lock);
}

static void throttle_success(struct lm_app *app, const char *username, lm_time_ms now)
{
	char uk[LM_USERNAME_MAX + 4];
	struct lm__throttle_slot *s;

	snprintf(uk, sizeof(uk), "u:%s", username);
	pthread_mutex_lock(&app->throttle_lock);
	s = throttle_slot(app, uk, 0, now);
	if (s)
		memset(s, 0, sizeof(*s));
	pthread_mutex_unlock(&app->throttle_lock);
}

static void token_hash(const char *token, char out[LM_TOKEN_HASH_HEX + 1])
{
	unsigned char h[32];

	crypto_generichash(h, sizeof(h), (const unsigned char *)token, strlen(token), NULL, 0);
	sodium_bin2hex(out, LM_TOKEN_HASH_HEX + 1, h, sizeof(h));
}

int lm__hash_password(const char *password, char out[LM_PWHASH_MAX + 1])
{
	if (crypto_pwhash_str_alg(out, password, strlen(password),
	                          crypto_pwhash_OPSLIMIT_INTERACTIVE,
	                          crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13))
		return LM_ENOMEM;
	return 0;
}

int lm_app_login(struct lm_app *app, const char *username, const char *password, const char *ip,
                 const char *request_id, struct lm_login *out, lm_time_ms *retry_after,
                 struct lm_error *err)
{
	lm_time_ms now = lm_time_now(), wait;
	struct lm_user u;
	struct lm_session s;
	struct lm_conn *c;
	struct lm_actor who;
	unsigned char raw[32];
	enum lm_qs qs;
	int rc, ok;

	memset(out, 0, sizeof(*out));
	*retry_after = 0;
	if (strlen(username) > LM_USERNAME_MAX || strlen(password) > LM_PASSWORD_MAX)
		return lm_error_set(err, LM_EAUTH, "", "wrong username or password");
	wait = throttle_wait(app, username, ip, now);
	if (wait > 0) {
		*retry_after = wait;
		return lm_error_set(err, LM_ERATELIMIT, "",
		                    "too many failed logins; try again in %lld s",
		                    (long long)((wait + 999) / 1000));
	}

	c = lm_store_acquire(app->st, LM_CONN_READ);
	qs = lm_store_user_get(c, username, &u);
	rc = lm__qs(app, c, qs, "user", err);
	lm_store_release(c);
	if (rc)
		return rc;
	/* Unknown users cost an argon2 verification too, so timing does not reveal them. */
	ok = crypto_pwhash_str_verify(qs == LM_QS_ONE && u.pw_hash[0] ? u.pw_hash : app->dummy_hash,
	                              password, strlen(password)) == 0 &&
	     qs == LM_QS_ONE && !u.disabled && u.pw_hash[0];
	if (!ok) {
		throttle_fail(app, username, ip, now);
		return lm_error_set(err, LM_EAUTH, "", "wrong username or password");
	}
	throttle_success(app, username, now);

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(out->token, sizeof(out->token), raw, sizeof(raw));
	sodium_memzero(raw, sizeof(raw));
	memset(&s, 0, sizeof(s));
	s.kind = LM_SESSION_LOGIN;
	lm_uuid_v7(s.id);
	snprintf(s.user_id, sizeof(s.user_id), "%s", u.id);
	token_hash(out->token, s.token_hash);
	s.created_at = now;
	s.expires_at = now + app->cfg.token_ttl;
	s.revoked_at = LM_TIME_NONE;

	memset(&who, 0, sizeof(who));
	snprintf(who.user_id, sizeof(who.user_id), "%s", u.id);
	snprintf(who.username, sizeof(who.username), "%s", u.username);
	snprintf(who.agency_id, sizeof(who.agency_id), "%s", u.agency_id);
	who.role = u.role;
	snprintf(who.ip, sizeof(who.ip), "%s", ip);

	rc = LM_EBUSY;
	for (int attempt = 0; attempt < 8 && rc == LM_EBUSY; attempt++) {
		struct lm_audit ev;
		c = lm_store_acquire(app->st, LM_CONN_WRITE);
		memset(&ev, 0, sizeof(ev));
		lm_uuid_v7(ev.id);
		ev.at = now;
		snprintf(ev.user_id, sizeof(ev.user_id), "%s", u.id);
		snprintf(ev.username, sizeof(ev.username), "%s", u.username);
		ev.role = u.role;
		snprintf(ev.agency_id, sizeof(ev.agency_id), "%s", u.agency_id);
		snprintf(ev.action, sizeof(ev.action), "session.create");
		snprintf(ev.object_type, sizeof(ev.object_type), "session");
		snprintf(ev.object_id, sizeof(ev.object_id), "%s", s.id);
		snprintf(ev.ip, sizeof(ev.ip), "%s", ip);
		snprintf(ev.request_id, sizeof(ev.request_id), "%s", request_id ? request_id : "");
		ev.outcome = 201;
		rc = lm__qs(app, c, lm_store_begin(c), "transaction", err);
		if (!rc)
			rc = lm__qs(app, c, lm_store_session_insert(c, &s), "session", err);
		if (!rc)
			rc = lm__qs(app, c, lm_store_audit_append(c, &ev), "audit event", err);
		if (!rc)
			rc = lm__qs(app, c, lm_store_commit(c), "transaction", err);
		if (rc)
			lm_store_rollback(c);
		lm_store_release(c);
	}
	if (rc) {
		sodium_memzero(out->token, sizeof(out->token));
		return rc;
	}
	out->expires_at = s.expires_at;
	out->user = u;
	sodium_memzero(out->user.pw_hash, sizeof(out->user.pw_hash));
	return 0;
}

int lm_app_authenticate(struct lm_app *app, const char *token, struct lm_actor *out)
{
	char hash[LM_TOKEN_HASH_HEX + 1];
	struct lm__session_entry cached;
	uint64_t gen;
	struct lm_session s;
	struct lm_user u;
	struct lm_conn *c;
	enum lm_qs qs;
	lm_time_ms now = lm_time_now();
	size_t n = strlen(token);

	if (n != LM_TOKEN_HEX)
		return LM_EAUTH;
	for (size_t i = 0; i < n; i++)
		if (!((token[i] >= '0' && token[i] <= '9') || (token[i] >= 'a' && token[i] <= 'f')))
			return LM_EAUTH;
	token_hash(token, hash);
	lm__caches_sync(app);
	if (lm_cache_get(app->sessions, hash, &cached)) {
		if (cached.expires_at <= now)
			return LM_EAUTH;
		*out = cached.actor;
		return 0;
	}
	gen = lm_cache_gen(app->sessions);
	c = lm_store_acquire(app->st, LM_CONN_READ);
	qs = lm_store_session_by_hash(c, hash, &s);
	if (qs == LM_QS_ONE)
		qs = lm_store_user_get(c, s.user_id, &u);
	lm_store_release(c);
	if (qs < 0) {
		if (qs == LM_QS_HARD)
			atomic_fetch_add(&app->db_errors, 1);
		return LM_EBUSY;
	}
	if (qs != LM_QS_ONE || s.revoked_at != LM_TIME_NONE || s.expires_at <= now || u.disabled)
		return LM_EAUTH;
	memset(out, 0, sizeof(*out));
	snprintf(out->user_id, sizeof(out->user_id), "%s", u.id);
	snprintf(out->username, sizeof(out->username), "%s", u.username);
	snprintf(out->agency_id, sizeof(out->agency_id), "%s", u.agency_id);
	out->role = u.role;
	snprintf(out->session_id, sizeof(out->session_id), "%s", s.id);
	cached.actor = *out;
	cached.expires_at = s.expires_at;
	lm_cache_put(app->sessions, hash, &cached, gen);
	return 0;
}

static int logout_fn(struct lm_app *app, struct lm_conn *c, void *arg, char *object_id,
                     size_t object_id_len, struct lm_error *err)
{
	const struct lm_actor *a = arg;

	snprintf(object_id, object_id_len, "%s", a->session_id);
	return lm__qs(app, c, lm_store_session_revoke(c, a->session_id, lm_time_now()), "session",
	              err);
}

int lm_app_logout(struct lm_app *app, const struct lm_actor *a, struct lm_error *err)
{
	struct lm__write w = {"session.revoke", "session", NULL,
	                      logout_fn,        (void *)a, LM__INV_SESSIONS};
	struct lm_created out;

	return lm__write(app, a, &w, &out, err);
}

void lm_app_random_password(char *out, size_t len)
{
	/* No look-alikes (0/O, 1/l/I): the password is read off a terminal and typed. */
	static const char alphabet[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

	for (size_t i = 0; i < len; i++)
		out[i] = alphabet[randombytes_uniform(sizeof(alphabet) - 1)];
	out[len] = '\0';
}

int lm_app_change_own_password(struct lm_app *app, const struct lm_actor *a, const char *current,
                               const char *password, lm_time_ms *retry_after, struct lm_error *err)
{
	lm_time_ms now = lm_time_now(), wait;
	struct lm_conn *c;
	struct lm_user u;
	enum lm_qs qs;
	int rc;

	*retry_after = 0;
	if (!a->user_id[0])
		return lm_error_set(err, LM_EFORBIDDEN, "", "only a signed-in user has a password");
	wait = throttle_wait(app, a->username, a->ip, now);
	if (wait > 0) {
		*retry_after = wait;
		return lm_error_set(err, LM_ERATELIMIT, "",
		                    "too many wrong passwords; try again in %lld s",
		                    (long long)((wait + 999) / 1000));
	}
	if ((rc = lm__check_password(password, err))) {
		snprintf(err->field, sizeof(err->field), "new_password");
		return rc;
	}
	c = lm_store_acquire(app->st, LM_CONN_READ);
	qs = lm_store_user_get(c, a->user_id, &u);
	rc = lm__qs(app, c, qs, "user", err);
	lm_store_release(c);
	if (rc)
		return rc;
	if (qs == LM_QS_NONE || !u.pw_hash[0] || strlen(current) > LM_PASSWORD_MAX ||
	    crypto_pwhash_str_verify(u.pw_hash, current, strlen(current)) != 0) {
		throttle_fail(app, a->username, a->ip, now);
		sodium_memzero(u.pw_hash, sizeof(u.pw_hash));
		return lm_error_set(err, LM_EINVAL, "current_password",
		                    "is not your current password");
	}
	sodium_memzero(u.pw_hash, sizeof(u.pw_hash));
	if (strcmp(current, password) == 0)
		return lm_error_set(err, LM_EINVAL, "new_password",
		                    "must differ from the current password");
	return lm__set_password(app, a, a->user_id, password, "user.change_own_password", err);
}

/* ---- API tokens ------------------------------------------------------------------ */

struct token_write {
	struct lm_session s;
};

static int token_create_fn(struct lm_app *app, struct lm_conn *c, void *arg, char *object_id,
                           size_t object_id_len, struct lm_error *err)
{
	struct token_write *tw = arg;

	snprintf(object_id, object_id_len, "%s", tw->s.id);
	return lm__qs(app, c, lm_store_session_insert(c, &tw->s), "token", err);
}

int lm_app_token_create(struct lm_app *app, const struct lm_actor *a, const char *label, int days,
                        struct lm_token_view *out, struct lm_error *err)
{
	struct token_write tw;
	struct lm__write w = {"token.create", "token", NULL, token_create_fn, &tw, 0};
	struct lm_created cr;
	unsigned char raw[32];
	lm_time_ms now = lm_time_now();
	int rc;

	memset(out, 0, sizeof(*out));
	if (!a->user_id[0])
		return lm_error_set(err, LM_EFORBIDDEN, "",
		                    "only a signed-in user can own a token");
	if ((rc = lm__check_text(label, LM_TOKEN_LABEL_MAX, 1, "label", err)))
		return rc;
	if (days < 1 || days > LM_TOKEN_DAYS_MAX)
		return lm_error_set(err, LM_EINVAL, "expires_in_days", "must be 1 to %d",
		                    LM_TOKEN_DAYS_MAX);
	memset(&tw, 0, sizeof(tw));
	tw.s.kind = LM_SESSION_TOKEN;
	memcpy(tw.s.label, label, strlen(label) + 1);
	lm_uuid_v7(tw.s.id);
	snprintf(tw.s.user_id, sizeof(tw.s.user_id), "%s", a->user_id);
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(out->token, sizeof(out->token), raw, sizeof(raw));
	sodium_memzero(raw, sizeof(raw));
	token_hash(out->token, tw.s.token_hash);
	tw.s.created_at = now;
	tw.s.expires_at = now + (lm_time_ms)days * 86400 * 1000;
	tw.s.revoked_at = LM_TIME_NONE;
	if ((rc = lm__write(app, a, &w, &cr, err))) {
		sodium_memzero(out->token, sizeof(out->token));
		return rc;
	}
	out->s = tw.s;
	out->s.token_hash[0] = '\0';
	return 0;
}

struct token_list {
	int (*cb)(void *ctx, const struct lm_token_view *t);
	void *ctx;
};

static int token_row(void *ctx, const struct lm_session *s)
{
	struct token_list *l = ctx;
	struct lm_token_view v;

	memset(&v, 0, sizeof(v));
	v.s = *s;
	v.s.token_hash[0] = '\0';
	return l->cb(l->ctx, &v);
}

int lm_app_token_list(struct lm_app *app, const struct lm_actor *a,
                      int (*cb)(void *ctx, const struct lm_token_view *t), void *ctx,
                      struct lm_error *err)
{
	struct token_list l = {cb, ctx};
	struct lm_conn *c;
	int rc;

	if (!a->user_id[0])
		return lm_error_set(err, LM_EFORBIDDEN, "", "only a signed-in user has tokens");
	c = lm_store_acquire(app->st, LM_CONN_READ);
	rc = lm__qs(app, c, lm_store_session_list(c, a->user_id, LM_SESSION_TOKEN, token_row, &l),
	            "tokens", err);
	lm_store_release(c);
	return rc;
}

static int token_revoke_fn(struct lm_app *app, struct lm_conn *c, void *arg, char *object_id,
                           size_t object_id_len, struct lm_error *err)
{
	const struct lm_actor *a = ((const void **)arg)[0];
	const char *id = ((const void **)arg)[1];
	struct lm_session s;
	enum lm_qs qs;
	int rc;

	qs = lm_store_session_get(c, id, &s);
	if ((rc = lm__qs(app, c, qs, "token", err)))
		return rc;
	/* Someone else's token is answered like a missing one: ids are not to be probed. */
	if (qs == LM_QS_NONE || s.kind != LM_SESSION_TOKEN || strcmp(s.user_id, a->user_id) != 0)
		return lm_error_set(err, LM_ENOTFOUND, "", "no token %s of yours", id);
	snprintf(object_id, object_id_len, "%s", s.id);
	if (s.revoked_at != LM_TIME_NONE)
		return 0; /* already revoked: the outcome the caller wants */
	return lm__qs(app, c, lm_store_session_revoke(c, s.id, lm_time_now()), "token", err);
}

int lm_app_token_revoke(struct lm_app *app, const struct lm_actor *a, const char *id,
                        struct lm_error *err)
{
	const void *arg[2] = {a, id};
	struct lm__write w = {"token.revoke",  "token",     NULL,
	                      token_revoke_fn, (void *)arg, LM__INV_SESSIONS};
	struct lm_created cr;

	if (!a->user_id[0])
		return lm_error_set(err, LM_EFORBIDDEN, "", "only a signed-in user has tokens");
	if (!lm_uuid_valid(id, strlen(id)))
		return lm_error_set(err, LM_ENOTFOUND, "", "no such token");
	return lm__write(app, a, &w, &cr, err);
}
