/*
 * test_auth.c - logins, bearer tokens, logout, the login throttle and
 * disabled accounts, against one demo server.
 *
 * The throttle keeps failures per account and per address in memory; every
 * request here comes from 127.0.0.1, whose own allowance (4 x 5 failures) this
 * file stays well under, so only the account under test is slowed down.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"

static struct lt_server srv;
static char *admin_tok;

static int group_setup(void **state)
{
	(void)state;
	if (lt_server_start(&srv, LT_DEMO, NULL))
		return -1;
	admin_tok = lt_login(&srv, "admin", LT_ADMIN_PASSWORD);
	return admin_tok ? 0 : -1;
}

static int group_teardown(void **state)
{
	int rc;

	(void)state;
	free(admin_tok);
	rc = lt_server_stop(&srv);
	lt_server_cleanup(&srv);
	return rc == 0 ? 0 : -1;
}

static void login_raw(const char *user, const char *password, struct lt_resp *r)
{
	json_t *body = json_pack("{s:s, s:s}", "username", user, "password", password);

	assert_int_equal(lt_request_json(&srv, "POST", "/api/v1/sessions", NULL, body, NULL, r), 0);
	json_decref(body);
}

static long get_status(const char *path, const char *token)
{
	struct lt_resp r;
	long st;

	assert_int_equal(lt_request(&srv, "GET", path, token, NULL, NULL, &r), 0);
	st = r.status;
	lt_resp_release(&r);
	return st;
}

static int is_lower_hex(const char *s, size_t n)
{
	if (strlen(s) != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]) && !(s[i] >= 'a' && s[i] <= 'f'))
			return 0;
	return 1;
}

/* "YYYY-MM-DDTHH:MM:SS[.fff]Z" */
static int is_utc_time(const char *s)
{
	int y, mo, d, h, mi, sec, n = 0;

	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 || n != 19)
		return 0;
	s += n;
	if (*s == '.') {
		s++;
		while (isdigit((unsigned char)*s))
			s++;
	}
	return s[0] == 'Z' && s[1] == '\0' && y >= 2020 && mo >= 1 && mo <= 12;
}

static void test_login_ok_gives_token_and_expiry(void **state)
{
	struct lt_resp r;
	char cc[64], *tok;

	(void)state;
	login_raw("officer.ruili", LT_DEMO_PASSWORD, &r);
	LT_ASSERT_STATUS(&r, 201);
	assert_true(is_lower_hex(lt_json_str(r.json, "token"), 64)); /* 256 random bits */
	assert_true(is_utc_time(lt_json_str(r.json, "expires_at")));
	assert_string_equal(lt_json_str(r.json, "token_type"), "Bearer");
	assert_string_equal(lt_json_str(r.json, "user/username"), "officer.ruili");
	assert_string_equal(lt_json_str(r.json, "user/role"), "officer");
	/* A token must not be cached by anything in between. */
	assert_int_equal(lt_resp_header(&r, "Cache-Control", cc, sizeof(cc)), 0);
	assert_non_null(strstr(cc, "no-store"));
	tok = strdup(lt_json_str(r.json, "token"));
	lt_resp_release(&r);

	/* The token works, and names its owner. */
	assert_int_equal(lt_request(&srv, "GET", "/api/v1/me", tok, NULL, NULL, &r), 0);
	LT_ASSERT_STATUS(&r, 200);
	assert_string_equal(lt_json_str(r.json, "username"), "officer.ruili");
	assert_string_equal(lt_json_str(r.json, "role"), "officer");
	lt_resp_release(&r);

	/* Two logins are two sessions with different tokens. */
	{
		char *tok2 = lt_login(&srv, "officer.ruili", LT_DEMO_PASSWORD);
		assert_non_null(tok2);
		assert_string_not_equal(tok, tok2);
		assert_int_equal(get_status("/api/v1/me", tok2), 200);
		assert_int_equal(get_status("/api/v1/me", tok), 200);
		free(tok2);
	}
	free(tok);
}

static void test_wrong_password_and_unknown_user_look_the_same(void **state)
{
	struct lt_resp a, b;

	(void)state;
	login_raw("analyst.ruili", "not-the-password-at-all", &a);
	login_raw("no.such.user", "not-the-password-at-all", &b);
	assert_true(lt_is_problem(&a, 401));
	assert_true(lt_is_problem(&b, 401));
	/* No user enumeration: the same words for both. */
	assert_string_equal(lt_json_str(a.json, "detail"), lt_json_str(b.json, "detail"));
	assert_string_equal(lt_json_str(a.json, "title"), lt_json_str(b.json, "title"));
	assert_null(strstr(a.body, "token"));
	lt_resp_release(&a);
	lt_resp_release(&b);
}

static void test_login_body_is_validated(void **state)
{
	struct lt_resp r;

	(void)state;
	assert_int_equal(lt_request(&srv, "POST", "/api/v1/sessions", NULL,
	                            "{\"username\":\"admin\"}", NULL, &r),
	                 0);
	assert_true(lt_is_problem(&r, 422));
	assert_string_equal(lt_json_str(r.json, "errors/0/field"), "password");
	lt_resp_release(&r);
	assert_int_equal(lt_request(&srv, "POST", "/api/v1/sessions", NULL,
	                            "{\"username\":\"admin\",\"password\":\"" LT_ADMIN_PASSWORD
	                            "\",\"otp\":1}",
	                            NULL, &r),
	                 0);
	assert_true(lt_is_problem(&r, 422));
	assert_string_equal(lt_json_str(r.json, "errors/0/field"), "otp");
	lt_resp_release(&r);
}

static void test_logout_revokes_the_token(void **state)
{
	char *tok = lt_login(&srv, "analyst.ministry", LT_DEMO_PASSWORD);
	char *other = lt_login(&srv, "analyst.ministry", LT_DEMO_PASSWORD);
	struct lt_resp r;

	(void)state;
	assert_non_null(tok);
	assert_non_null(other);
	assert_int_equal(get_status("/api/v1/me", tok), 200);
	assert_int_equal(
	    lt_request(&srv, "DELETE", "/api/v1/sessions/current", tok, NULL, NULL, &r), 0);
	LT_ASSERT_STATUS(&r, 204);
	assert_int_equal(r.len, 0);
	lt_resp_release(&r);
	/* The revoked token is dead everywhere ... */
	assert_int_equal(get_status("/api/v1/me", tok), 401);
	assert_int_equal(get_status("/api/v1/crossing-points/CNRUI", tok), 401);
	assert_int_equal(
	    lt_request(&srv, "DELETE", "/api/v1/sessions/current", tok, NULL, NULL, &r), 0);
	assert_true(lt_is_problem(&r, 401));
	lt_resp_release(&r);
	/* ... and only that session ended. */
	assert_int_equal(get_status("/api/v1/me", other), 200);
	free(tok);
	free(other);
}

static void test_no_or_garbage_token_is_401_with_challenge(void **state)
{
	static const char *const bad[] = {
	    NULL,
	    "Authorization: Bearer garbage",
	    "Authorization: Bearer "
	    "0000000000000000000000000000000000000000000000000000000000000000",
	    "Authorization: Bearer "
	    "00000000000000000000000000000000000000000000000000000000000000000",
	    "Authorization: Basic YWRtaW46YWRtaW4=",
	    "Authorization: Bearer",
	    "Authorization: Bearer ' OR '1'='1",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *h[] = {bad[i], NULL};
		struct lt_resp r;
		char wa[160];
		assert_int_equal(lt_request(&srv, "GET", "/api/v1/crossing-points", NULL, NULL,
		                            bad[i] ? h : NULL, &r),
		                 0);
		assert_true(lt_is_problem(&r, 401));
		assert_int_equal(lt_resp_header(&r, "WWW-Authenticate", wa, sizeof(wa)), 0);
		assert_true(strncmp(wa, "Bearer", 6) == 0);
		assert_null(strstr(r.body, "CNRUI")); /* nothing of the resource leaks */
		lt_resp_release(&r);
	}
}

/* Wait (bounded) between retries of a time-based condition, never to synchronise. */
static void pause_ms(long ms)
{
	struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&t, NULL);
}

static long retry_after(const struct lt_resp *r)
{
	char v[32];
	char *end;
	long n;

	if (lt_resp_header(r, "Retry-After", v, sizeof(v)))
		return -1;
	n = strtol(v, &end, 10);
	return *end ? -1 : n;
}

/*
 * Five failures are free; each further one doubles the wait (1 s, 2 s, ...).
 * The Retry-After header is checked on every 429 but asserted at the end, so
 * the rest of the behaviour is still exercised when only the header is wrong.
 */
static void test_repeated_failures_slow_the_account_down(void **state)
{
	const char *user = "officer.muse";
	struct lt_resp r;
	char first_detail[256];
	long long deadline;
	int retry_after_ok = 1, i;
	long wait;

	(void)state;
	for (i = 0; i < 6; i++) {
		login_raw(user, "wrong-password-attempt", &r);
		assert_true(lt_is_problem(&r, 401));
		if (i == 0)
			snprintf(first_detail, sizeof(first_detail), "%s",
			         lt_json_str(r.json, "detail"));
		else
			assert_string_equal(lt_json_str(r.json, "detail"), first_detail);
		lt_resp_release(&r);
	}
	/*
	 * The sixth failure started a one-second wait. Should that second be
	 * over before the next attempt arrives (argon2 is slow under ASan), the
	 * attempt counts as a failure and doubles the wait: keep trying.
	 */
	for (i = 0;; i++) {
		assert_true(i < 6);
		login_raw(user, "wrong-password-attempt", &r);
		if (r.status == 429)
			break;
		assert_true(lt_is_problem(&r, 401));
		lt_resp_release(&r);
	}
	assert_true(lt_is_problem(&r, 429));
	wait = retry_after(&r);
	if (!(wait >= 1 && wait <= 900)) {
		fprintf(stderr, "429 with Retry-After %ld (-1 = missing), expected 1..900\n", wait);
		retry_after_ok = 0;
	}
	lt_resp_release(&r);

	/*
	 * Let that wait run out and fail once more: the wait doubles to two
	 * seconds, long enough that the right password sent at once is still
	 * refused without a race against the clock.
	 */
	deadline = lt_now_ms() + 70000;
	for (;;) {
		login_raw(user, "wrong-password-attempt", &r);
		if (r.status != 429)
			break;
		lt_resp_release(&r);
		assert_true(lt_now_ms() < deadline);
		pause_ms(100);
	}
	assert_true(lt_is_problem(&r, 401));
	lt_resp_release(&r);

	login_raw(user, LT_DEMO_PASSWORD, &r);
	assert_true(lt_is_problem(&r, 429)); /* the right password waits too */
	assert_null(json_object_get(r.json, "token"));
	wait = retry_after(&r);
	if (!(wait >= 1 && wait <= 900)) {
		fprintf(stderr, "429 with Retry-After %ld (-1 = missing), expected 1..900\n", wait);
		retry_after_ok = 0;
	}
	lt_resp_release(&r);

	/* Other accounts are not affected. */
	{
		char *tok = lt_login(&srv, "customs.muse", LT_DEMO_PASSWORD);
		assert_non_null(tok);
		free(tok);
	}

	/* The wait is bounded: the real user gets in once it is over (seconds, not hours). */
	deadline = lt_now_ms() + 70000;
	for (;;) {
		login_raw(user, LT_DEMO_PASSWORD, &r);
		if (r.status != 429)
			break;
		lt_resp_release(&r);
		assert_true(lt_now_ms() < deadline);
		pause_ms(100);
	}
	LT_ASSERT_STATUS(&r, 201);
	lt_resp_release(&r);
	/* A success clears the account: the next mistake is an ordinary 401. */
	login_raw(user, "wrong-password-attempt", &r);
	assert_true(lt_is_problem(&r, 401));
	lt_resp_release(&r);

	/* Regression guard (src/http/routes.c): the handler's Retry-After is dropped from the 429.
	 */
	assert_true(retry_after_ok);
}

/*
 * PATCH the account with the current ETag; returns the answer's status. The
 * disabled flag is then checked on a fresh read, so a wrong answer to the
 * PATCH is reported without hiding what the update did.
 */
static long patch_disabled(const char *path, const char *body, int want_disabled)
{
	static const char *const purpose[] = {"X-Purpose: test_auth disable account", NULL};
	char etag[64], hdr[96];
	const char *h[3] = {hdr, purpose[0], NULL};
	struct lt_resp r;
	long st;

	assert_int_equal(lt_request(&srv, "GET", path, admin_tok, NULL, purpose, &r), 0);
	LT_ASSERT_STATUS(&r, 200);
	lt_resp_etag(&r, etag, sizeof(etag));
	assert_true(etag[0] != '\0');
	lt_resp_release(&r);
	snprintf(hdr, sizeof(hdr), "If-Match: \"%s\"", etag);
	assert_int_equal(lt_request(&srv, "PATCH", path, admin_tok, body, h, &r), 0);
	st = r.status;
	if (st != 200)
		fprintf(stderr, "PATCH %s %s: %ld %s\n", path, body, r.status, r.body);
	else
		assert_int_equal(json_is_true(json_object_get(r.json, "disabled")), want_disabled);
	lt_resp_release(&r);
	assert_int_equal(lt_request(&srv, "GET", path, admin_tok, NULL, purpose, &r), 0);
	assert_int_equal(json_is_true(json_object_get(r.json, "disabled")), want_disabled);
	lt_resp_release(&r);
	return st;
}

static void test_disabled_user_is_locked_out(void **state)
{
	static const char *const purpose[] = {"X-Purpose: test_auth disable account", NULL};
	const char *path = "/api/v1/users/officer.wanding";
	char *tok = lt_login(&srv, "officer.wanding", LT_DEMO_PASSWORD);
	struct lt_resp r, bad;
	long st_disable, st_enable;

	(void)state;
	assert_non_null(tok);
	assert_int_equal(get_status("/api/v1/me", tok), 200);
	assert_int_equal(get_status("/api/v1/me", tok), 200);

	/* An update needs If-Match. */
	assert_int_equal(
	    lt_request(&srv, "PATCH", path, admin_tok, "{\"disabled\":true}", purpose, &r), 0);
	assert_true(lt_is_problem(&r, 428));
	lt_resp_release(&r);

	st_disable = patch_disabled(path, "{\"disabled\":true}", 1);
	/* The existing token stops working at once ... */
	assert_int_equal(get_status("/api/v1/me", tok), 401);
	assert_int_equal(get_status("/api/v1/crossing-points", tok), 401);
	/* ... and the right password no longer logs in, with the usual vague answer. */
	login_raw("officer.wanding", LT_DEMO_PASSWORD, &r);
	login_raw("officer.wanding", "wrong-password-here", &bad);
	assert_true(lt_is_problem(&r, 401));
	assert_string_equal(lt_json_str(r.json, "detail"), lt_json_str(bad.json, "detail"));
	lt_resp_release(&r);
	lt_resp_release(&bad);

	/* Enabled again, the account logs in again (the old token stays revoked). */
	st_enable = patch_disabled(path, "{\"disabled\":false}", 0);
	assert_int_equal(get_status("/api/v1/me", tok), 401);
	free(tok);
	tok = lt_login(&srv, "officer.wanding", LT_DEMO_PASSWORD);
	assert_non_null(tok);
	assert_int_equal(get_status("/api/v1/me", tok), 200);
	free(tok);

	/*
	 * Regression guard (src/http/h_people.c h_user_patch + src/app/users.c
	 * lm_app_user_get): the update is committed, then re-read with a key
	 * that points into the struct being cleared, and the PATCH answers 404.
	 */
	assert_int_equal(st_disable, 200);
	assert_int_equal(st_enable, 200);
}

static void test_password_reset_revokes_sessions(void **state)
{
	char *tok = lt_login(&srv, "health.ruili", LT_DEMO_PASSWORD);
	struct lt_resp r;

	(void)state;
	assert_non_null(tok);
	/* Twice, so whatever remembers sessions has seen this one. */
	assert_int_equal(get_status("/api/v1/me", tok), 200);
	assert_int_equal(get_status("/api/v1/me", tok), 200);
	assert_int_equal(lt_request(&srv, "POST", "/api/v1/users/health.ruili/password", admin_tok,
	                            "{\"password\":\"a-brand-new-password-1\"}", NULL, &r),
	                 0);
	LT_ASSERT_STATUS(&r, 204);
	lt_resp_release(&r);
	assert_int_equal(get_status("/api/v1/me", tok), 401);
	free(tok);
	login_raw("health.ruili", LT_DEMO_PASSWORD, &r);
	assert_true(lt_is_problem(&r, 401));
	lt_resp_release(&r);
	tok = lt_login(&srv, "health.ruili", "a-brand-new-password-1");
	assert_non_null(tok);
	assert_int_equal(get_status("/api/v1/me", tok), 200);
	free(tok);
}

/* A user replaces the password the administrator gave them. */
static void test_change_own_password(void **state)
{
	char *tok = lt_login(&srv, "auditor.ministry", LT_DEMO_PASSWORD);
	struct lt_resp r;

	(void)state;
	assert_non_null(tok);
	assert_int_equal(get_status("/api/v1/me", tok), 200);
	assert_int_equal(lt_request(&srv, "POST", "/api/v1/me/password", tok,
	                            "{\"current_password\":\"not-it-at-all\","
	                            "\"new_password\":\"my-own-passphrase-2026\"}",
	                            NULL, &r),
	                 0);
	assert_true(lt_is_problem(&r, 422));
	assert_string_equal(lt_json_str(r.json, "errors/0/field"), "current_password");
	lt_resp_release(&r);
	assert_int_equal(lt_request(&srv, "POST", "/api/v1/me/password", tok,
	                            "{\"current_password\":\"" LT_DEMO_PASSWORD "\","
	                            "\"new_password\":\"short\"}",
	                            NULL, &r),
	                 0);
	assert_true(lt_is_problem(&r, 422));
	assert_string_equal(lt_json_str(r.json, "errors/0/field"), "new_password");
	lt_resp_release(&r);
	assert_int_equal(get_status("/api/v1/me", tok), 200); /* nothing changed so far */
	assert_int_equal(lt_request(&srv, "POST", "/api/v1/me/password", tok,
	                            "{\"current_password\":\"" LT_DEMO_PASSWORD "\","
	                            "\"new_password\":\"my-own-passphrase-2026\"}",
	                            NULL, &r),
	                 0);
	LT_ASSERT_STATUS(&r, 204);
	lt_resp_release(&r);
	/* Signed out everywhere; only the new password works. */
	assert_int_equal(get_status("/api/v1/me", tok), 401);
	free(tok);
	login_raw("auditor.ministry", LT_DEMO_PASSWORD, &r);
	assert_true(lt_is_problem(&r, 401));
	lt_resp_release(&r);
	tok = lt_login(&srv, "auditor.ministry", "my-own-passphrase-2026");
	assert_non_null(tok);
	assert_int_equal(get_status("/api/v1/me", tok), 200);
	free(tok);
}

/* A program's token: made once, used like a session, listed without its secret, revoked. */
static void test_api_tokens(void **state)
{
	char *tok = lt_login(&srv, "analyst.ministry", LT_DEMO_PASSWORD);
	char api[80] = "", id[48] = "";
	struct lt_resp r;

	(void)state;
	assert_non_null(tok);
	assert_int_equal(lt_request(&srv, "POST", "/api/v1/tokens", tok,
	                            "{\"label\":\"prometheus\",\"expires_in_days\":400}", NULL, &r),
	                 0);
	assert_true(lt_is_problem(&r, 422));
	assert_string_equal(lt_json_str(r.json, "errors/0/field"), "expires_in_days");
	lt_resp_release(&r);
	assert_int_equal(lt_request(&srv, "POST", "/api/v1/tokens", tok,
	                            "{\"label\":\"prometheus\",\"expires_in_days\":30}", NULL, &r),
	                 0);
	LT_ASSERT_STATUS(&r, 201);
	assert_true(is_lower_hex(lt_json_str(r.json, "token"), 64));
	snprintf(api, sizeof(api), "%s", lt_json_str(r.json, "token"));
	snprintf(id, sizeof(id), "%s", lt_json_str(r.json, "id"));
	lt_resp_release(&r);
	/* It works on its own, for the metrics a scraper reads. */
	assert_int_equal(get_status("/metrics", api), 200);
	/* Listed by its owner, never with the secret; not visible to anyone else. */
	assert_int_equal(lt_request(&srv, "GET", "/api/v1/tokens", tok, NULL, NULL, &r), 0);
	LT_ASSERT_STATUS(&r, 200);
	assert_string_equal(lt_json_str(r.json, "items/0/label"), "prometheus");
	assert_null(lt_json_at(r.json, "items/0/token"));
	lt_resp_release(&r);
	{
		char path[96];
		snprintf(path, sizeof(path), "/api/v1/tokens/%s", id);
		assert_int_equal(lt_request(&srv, "DELETE", path, admin_tok, NULL, NULL, &r), 0);
		assert_true(lt_is_problem(&r, 404)); /* not the admin's */
		lt_resp_release(&r);
		assert_int_equal(get_status("/metrics", api), 200);
		assert_int_equal(lt_request(&srv, "DELETE", path, tok, NULL, NULL, &r), 0);
		LT_ASSERT_STATUS(&r, 204);
		lt_resp_release(&r);
	}
	assert_int_equal(get_status("/metrics", api), 401);
	assert_int_equal(get_status("/api/v1/me", tok), 200); /* the login session is untouched */
	free(tok);
}

static void test_cached_resources_still_need_a_valid_token(void **state)
{
	static const char *const bad[] = {
	    "Authorization: Bearer "
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	    NULL};
	char *tok = lt_login(&srv, "aid.redcross", LT_DEMO_PASSWORD);
	struct lt_resp r;

	(void)state;
	assert_non_null(tok);
	/* Warm every cache the server has for this point and this token. */
	for (int i = 0; i < 3; i++)
		assert_int_equal(get_status("/api/v1/crossing-points/CNRUI", tok), 200);
	assert_int_equal(get_status("/api/v1/crossing-points/CNRUI", NULL), 401);
	assert_int_equal(
	    lt_request(&srv, "GET", "/api/v1/crossing-points/CNRUI", NULL, NULL, bad, &r), 0);
	assert_true(lt_is_problem(&r, 401));
	assert_null(strstr(r.body, "Ruili"));
	lt_resp_release(&r);
	assert_int_equal(
	    lt_request(&srv, "DELETE", "/api/v1/sessions/current", tok, NULL, NULL, &r), 0);
	LT_ASSERT_STATUS(&r, 204);
	lt_resp_release(&r);
	assert_int_equal(get_status("/api/v1/crossing-points/CNRUI", tok), 401);
	free(tok);
}

/* Accounts are also administered from the server's shell while it runs. */
static void test_cli_changes_reach_the_running_server(void **state)
{
	const char *disable[] = {"user", "disable", "officer.qingshuihe", "--db", srv.db, NULL};
	const char *reset[] = {"user", "reset-password", "army.dehong", "--password-stdin",
	                       "--db", srv.db,           NULL};
	char *a = lt_login(&srv, "officer.qingshuihe", LT_DEMO_PASSWORD);
	char *b = lt_login(&srv, "army.dehong", LT_DEMO_PASSWORD);
	char *err = NULL;
	int rc;

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(get_status("/api/v1/me", a), 200);
		assert_int_equal(get_status("/api/v1/me", b), 200);
	}
	rc = lt_cli(disable, NULL, NULL, &err);
	if (rc)
		fprintf(stderr, "limes user disable: %d %s\n", rc, err);
	free(err);
	assert_int_equal(rc, 0);
	rc = lt_cli(reset, "army-new-password-1\n", NULL, &err);
	if (rc)
		fprintf(stderr, "limes user reset-password: %d %s\n", rc, err);
	free(err);
	assert_int_equal(rc, 0);
	/*
	 * These fail if the server remembers sessions in memory
	 * (src/app/auth.c lm_app_authenticate) and only its own writes clear
	 * that memory, so a disable or reset done by `limes user` leaves the
	 * old tokens working until they expire.
	 */
	if (get_status("/api/v1/me", a) != 401 || get_status("/api/v1/me", b) != 401)
		fprintf(stderr, "tokens still work after `limes user disable/reset-password`\n");
	assert_int_equal(get_status("/api/v1/me", a), 401);
	assert_int_equal(get_status("/api/v1/me", b), 401);
	free(a);
	free(b);
	/* The new state is what logins see, in any case. */
	a = lt_login(&srv, "officer.qingshuihe", LT_DEMO_PASSWORD);
	assert_null(a);
	b = lt_login(&srv, "army.dehong", "army-new-password-1");
	assert_non_null(b);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_login_ok_gives_token_and_expiry),
	    cmocka_unit_test(test_wrong_password_and_unknown_user_look_the_same),
	    cmocka_unit_test(test_login_body_is_validated),
	    cmocka_unit_test(test_logout_revokes_the_token),
	    cmocka_unit_test(test_no_or_garbage_token_is_401_with_challenge),
	    cmocka_unit_test(test_repeated_failures_slow_the_account_down),
	    cmocka_unit_test(test_disabled_user_is_locked_out),
	    cmocka_unit_test(test_password_reset_revokes_sessions),
	    cmocka_unit_test(test_change_own_password),
	    cmocka_unit_test(test_api_tokens),
	    cmocka_unit_test(test_cached_resources_still_need_a_valid_token),
	    cmocka_unit_test(test_cli_changes_reach_the_running_server),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
