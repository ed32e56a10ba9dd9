/*
 * test_shutdown.c - the server's life cycle: a clean exit on SIGTERM and
 * SIGINT, in-flight requests finished, acknowledged writes surviving
 * kill -9, and a restart on an existing database that neither reloads the
 * demo nor makes a new admin password.
 *
 * Each test starts its own server: they are about starting and stopping.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"

static struct lt_server srv;

static int teardown(void **state)
{
	(void)state;
	lt_server_cleanup(&srv); /* kills the server if a failed test left it running */
	return 0;
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

/* The last non-empty line of the server log, parsed. New reference. */
static json_t *last_log_line(void)
{
	char *log = lt_read_file(srv.log), *last = NULL, *p, *save = NULL;
	json_t *j;

	assert_non_null(log);
	for (p = strtok_r(log, "\n", &save); p; p = strtok_r(NULL, "\n", &save))
		last = p;
	assert_non_null(last);
	j = json_loads(last, 0, NULL);
	if (!j)
		fprintf(stderr, "last log line is not JSON: %s\n", last);
	free(log);
	return j;
}

static void check_stop_signal(int sig)
{
	char *tok;
	json_t *last;

	assert_int_equal(lt_server_start(&srv, LT_EMPTY, NULL), 0);
	tok = lt_login(&srv, "admin", LT_ADMIN_PASSWORD);
	assert_non_null(tok);
	assert_int_equal(get_status("/api/v1/me", tok), 200);
	free(tok);
	/* A clean exit: status 0, no sanitizer report, and a last word in the log. */
	assert_int_equal(lt_server_signal(&srv, sig), 0);
	last = last_log_line();
	assert_non_null(last);
	assert_true(lt_json_str(last, "level")[0] != '\0');
	assert_true(strstr(lt_json_str(last, "msg"), "shut") ||
	            strstr(lt_json_str(last, "msg"), "stop"));
	json_decref(last);
	/* The port is released: nothing answers there any more. */
	{
		struct lt_resp r;
		assert_int_not_equal(lt_request(&srv, "GET", "/healthz", NULL, NULL, NULL, &r), 0);
		lt_resp_release(&r);
	}
}

static void test_sigterm_exits_cleanly(void **state)
{
	(void)state;
	check_stop_signal(SIGTERM);
}

static void test_sigint_exits_cleanly(void **state)
{
	(void)state;
	check_stop_signal(SIGINT);
}

/* ---- an upload in progress when SIGTERM arrives ------------------------------------ */

struct slow_upload {
	const char *url, *token, *body;
	size_t len, off, first; /* the first `first` bytes go at once, the rest on `go` */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int started, go;
	long status;
	CURLcode cc;
};

static size_t slow_read(char *buf, size_t size, size_t n, void *arg)
{
	struct slow_upload *u = arg;
	size_t limit, chunk;

	pthread_mutex_lock(&u->mu);
	if (!u->started) {
		u->started = 1;
		pthread_cond_broadcast(&u->cv);
	}
	while (u->off >= u->first && !u->go)
		pthread_cond_wait(&u->cv, &u->mu);
	pthread_mutex_unlock(&u->mu);
	limit = u->off < u->first ? u->first : u->len;
	chunk = limit - u->off < size * n ? limit - u->off : size * n;
	memcpy(buf, u->body + u->off, chunk);
	u->off += chunk;
	return chunk;
}

static size_t discard(char *data, size_t size, size_t n, void *arg)
{
	(void)data;
	(void)arg;
	return size * n;
}

static void *slow_post(void *arg)
{
	struct slow_upload *u = arg;
	struct curl_slist *h = NULL;
	char auth[128];
	CURL *c = curl_easy_init();

	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", u->token);
	h = curl_slist_append(h, auth);
	h = curl_slist_append(h, "Content-Type: application/json");
	/* The body starts only after the server's 100 Continue: it is reading this request. */
	h = curl_slist_append(h, "Expect: 100-continue");
	curl_easy_setopt(c, CURLOPT_URL, u->url);
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)u->len);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, slow_read);
	curl_easy_setopt(c, CURLOPT_READDATA, u);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_EXPECT_100_TIMEOUT_MS, 60000L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	u->cc = curl_easy_perform(c);
	if (u->cc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &u->status);
	curl_easy_cleanup(c);
	curl_slist_free_all(h);
	/* Unblock the main thread if the server never asked for the body. */
	pthread_mutex_lock(&u->mu);
	u->started = 1;
	pthread_cond_broadcast(&u->cv);
	pthread_mutex_unlock(&u->mu);
	return NULL;
}

static void test_sigterm_finishes_the_request_in_flight(void **state)
{
	static const char body[] =
	    "{\"pillar\":\"INFLIGHT-1\",\"position\":{\"lon\":98.1,\"lat\":24.1},"
	    "\"condition\":\"intact\",\"note\":\"sent while the server was stopping\"}";
	struct slow_upload u;
	char url[128], *tok;
	pthread_t t;
	struct timespec until;
	int rc = 0, exit_status;

	(void)state;
	assert_int_equal(lt_server_start(&srv, LT_EMPTY, NULL), 0);
	tok = lt_login(&srv, "admin", LT_ADMIN_PASSWORD);
	assert_non_null(tok);
	snprintf(url, sizeof(url), "%s/api/v1/markers", srv.base);
	memset(&u, 0, sizeof(u));
	u.url = url;
	u.token = tok;
	u.body = body;
	u.len = strlen(body);
	u.first = u.len / 2;
	pthread_mutex_init(&u.mu, NULL);
	pthread_cond_init(&u.cv, NULL);
	assert_int_equal(pthread_create(&t, NULL, slow_post, &u), 0);

	/* Wait (bounded) until the server has taken the headers and asked for the body. */
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 60;
	pthread_mutex_lock(&u.mu);
	while (!u.started && rc == 0)
		rc = pthread_cond_timedwait(&u.cv, &u.mu, &until);
	pthread_mutex_unlock(&u.mu);
	assert_int_equal(rc, 0);

	/* Stop the server, and only once it is stopping send the rest of the body. */
	assert_int_equal(kill(srv.pid, SIGTERM), 0);
	assert_int_equal(lt_log_wait(&srv, "shutting down", 60000), 0);
	pthread_mutex_lock(&u.mu);
	u.go = 1;
	pthread_cond_broadcast(&u.cv);
	pthread_mutex_unlock(&u.mu);
	pthread_join(t, NULL);
	exit_status = lt_server_signal(&srv, 0);

	if (u.cc != CURLE_OK)
		fprintf(stderr, "the request in flight got no answer: %s\n",
		        curl_easy_strerror(u.cc));
	/* This fails if not: SIGTERM must let a request the server has begun finish. */
	assert_int_equal(u.cc, CURLE_OK);
	assert_int_equal(u.status, 201);
	assert_int_equal(exit_status, 0);

	/* And what it acknowledged is there after a restart. */
	assert_int_equal(lt_server_start(&srv, LT_REUSE, NULL), 0);
	free(tok);
	tok = lt_login(&srv, "admin", LT_ADMIN_PASSWORD);
	assert_int_equal(get_status("/api/v1/markers/INFLIGHT-1", tok), 200);
	free(tok);
	assert_int_equal(lt_server_stop(&srv), 0);
	pthread_mutex_destroy(&u.mu);
	pthread_cond_destroy(&u.cv);
}

/* ---- durability across kill -9 ------------------------------------------------------ */

#define WRITERS          4
#define ACKS_BEFORE_KILL 60
#define MAX_ACKS         4096

static pthread_mutex_t ack_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ack_cv = PTHREAD_COND_INITIALIZER;
static char acked[MAX_ACKS][24];
static int nacked, writers_done;
static const char *writer_token;

static void *writer(void *arg)
{
	int id = (int)(intptr_t)arg;

	for (int i = 0; i < MAX_ACKS / WRITERS; i++) {
		char pillar[24], body[256];
		struct lt_resp r;
		int rc, ok;
		snprintf(pillar, sizeof(pillar), "K9-%d-%04d", id, i);
		snprintf(body, sizeof(body),
		         "{\"pillar\":\"%s\",\"position\":{\"lon\":98.%d,\"lat\":24.%04d},"
		         "\"condition\":\"intact\"}",
		         pillar, id, i);
		rc = lt_request(&srv, "POST", "/api/v1/markers", writer_token, body, NULL, &r);
		ok = rc == 0 && r.status == 201;
		if (rc == 0 && !ok)
			fprintf(stderr, "writer %d: HTTP %ld %s\n", id, r.status, r.body);
		if (ok) {
			pthread_mutex_lock(&ack_mu);
			snprintf(acked[nacked++], sizeof(acked[0]), "%s", pillar);
			pthread_cond_broadcast(&ack_cv);
			pthread_mutex_unlock(&ack_mu);
		}
		lt_resp_release(&r);
		if (!ok)
			break; /* the server is gone */
	}
	pthread_mutex_lock(&ack_mu);
	writers_done++;
	pthread_cond_broadcast(&ack_cv);
	pthread_mutex_unlock(&ack_mu);
	return NULL;
}

static void test_acknowledged_writes_survive_kill9(void **state)
{
	static const char status_body[] =
	    "{\"state\":\"closed\",\"reason\":\"acknowledged before the crash\","
	    "\"from\":\"2026-01-01T00:00:00Z\",\"until\":null}";
	pthread_t t[WRITERS];
	struct lt_resp r;
	char *tok, point_id[64], status_id[64];
	const char *idem[] = {"Idempotency-Key: crash-test-point", NULL};
	int n, rc = 0;

	(void)state;
	assert_int_equal(lt_server_start(&srv, LT_EMPTY, NULL), 0);
	tok = lt_login(&srv, "admin", LT_ADMIN_PASSWORD);
	assert_non_null(tok);
	writer_token = tok;

	/* A few writes of different kinds, each acknowledged. */
	assert_int_equal(
	    lt_request(&srv, "POST", "/api/v1/crossing-points", tok,
	               "{\"code\":\"CNKIL\",\"name\":\"Crash test\",\"country\":\"CN\","
	               "\"country_other\":\"MM\",\"kind\":\"local\",\"modes\":[\"cargo\"],"
	               "\"position\":{\"lon\":98.4,\"lat\":24.4},\"time_zone\":\"Asia/Shanghai\"}",
	               idem, &r),
	    0);
	LT_ASSERT_STATUS(&r, 201);
	snprintf(point_id, sizeof(point_id), "%s", lt_json_str(r.json, "id"));
	lt_resp_release(&r);
	assert_int_equal(lt_request(&srv, "POST", "/api/v1/crossing-points/CNKIL/status", tok,
	                            status_body, NULL, &r),
	                 0);
	LT_ASSERT_STATUS(&r, 201);
	snprintf(status_id, sizeof(status_id), "%s", lt_json_str(r.json, "id"));
	lt_resp_release(&r);

	/* Then writers hammering the server, killed -9 in the middle of their work. */
	nacked = 0;
	writers_done = 0;
	for (intptr_t i = 0; i < WRITERS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, writer, (void *)i), 0);
	{
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 120;
		pthread_mutex_lock(&ack_mu);
		while (nacked < ACKS_BEFORE_KILL && writers_done < WRITERS && rc == 0)
			rc = pthread_cond_timedwait(&ack_cv, &ack_mu, &until);
		pthread_mutex_unlock(&ack_mu);
	}
	lt_server_kill9(&srv);
	for (int i = 0; i < WRITERS; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(rc, 0);
	n = nacked;
	assert_true(n >= ACKS_BEFORE_KILL);

	/* Restart on the same file: everything acknowledged is there. */
	assert_int_equal(lt_server_start(&srv, LT_REUSE, NULL), 0);
	/* The session too: it was a write like any other. */
	assert_int_equal(get_status("/api/v1/me", tok), 200);
	for (int i = 0; i < n; i++) {
		char path[64];
		/* Pillars are short; %.40s keeps the compiler's truncation check quiet. */
		snprintf(path, sizeof(path), "/api/v1/markers/%.40s", acked[i]);
		if (get_status(path, tok) != 200)
			fprintf(stderr, "acknowledged marker %s is lost\n", acked[i]);
		assert_int_equal(get_status(path, tok), 200);
	}
	assert_int_equal(lt_request(&srv, "GET", "/api/v1/crossing-points/CNKIL/status/history",
	                            tok, NULL, NULL, &r),
	                 0);
	LT_ASSERT_STATUS(&r, 200);
	assert_string_equal(lt_json_str(r.json, "changes/0/id"), status_id);
	lt_resp_release(&r);
	/* The idempotency record survived with its object: a retry is still a replay. */
	assert_int_equal(
	    lt_request(&srv, "POST", "/api/v1/crossing-points", tok,
	               "{\"code\":\"CNKIL\",\"name\":\"Crash test\",\"country\":\"CN\","
	               "\"country_other\":\"MM\",\"kind\":\"local\",\"modes\":[\"cargo\"],"
	               "\"position\":{\"lon\":98.4,\"lat\":24.4},\"time_zone\":\"Asia/Shanghai\"}",
	               idem, &r),
	    0);
	LT_ASSERT_STATUS(&r, 201);
	assert_string_equal(lt_json_str(r.json, "id"), point_id);
	lt_resp_release(&r);
	assert_int_equal(lt_server_stop(&srv), 0);
	free(tok);
}

/* ---- restart on an existing database ------------------------------------------------ */

static int count(const char *path, const char *token, const char *const *headers)
{
	struct lt_resp r;
	int n;

	assert_int_equal(lt_request(&srv, "GET", path, token, NULL, headers, &r), 0);
	LT_ASSERT_STATUS(&r, 200);
	n = (int)json_array_size(json_object_get(r.json, "items"));
	lt_resp_release(&r);
	return n;
}

static void test_restart_keeps_the_database(void **state)
{
	/* No LIMES_ADMIN_PASSWORD: the first start makes one and prints it, once. */
	static const char *const env[] = {"LIMES_ADMIN_PASSWORD", NULL};
	static const char *const purpose[] = {"X-Purpose: restart test", NULL};
	static const char prefix[] = "limes: created user 'admin' with password: ";
	char password[128], etag[64], hdr[96], *tok;
	const char *h[] = {hdr, NULL};
	const char *p;
	struct lt_resp r;
	int points, markers, users, agencies;

	(void)state;
	assert_int_equal(lt_server_start_env(&srv, LT_DEMO, NULL, env), 0);
	p = strstr(srv.startup, prefix);
	assert_non_null(p);
	p += sizeof(prefix) - 1;
	snprintf(password, sizeof(password), "%.*s", (int)strcspn(p, "\n"), p);
	assert_true(strlen(password) >= 12);
	tok = lt_login(&srv, "admin", password);
	assert_non_null(tok);
	points = count("/api/v1/crossing-points?limit=1000", tok, NULL);
	markers = count("/api/v1/markers?limit=1000", tok, NULL);
	users = count("/api/v1/users?limit=1000", tok, purpose);
	agencies = count("/api/v1/agencies?limit=1000", tok, NULL);
	assert_int_equal(points, 12);
	assert_int_equal(markers, 150);
	/* A change to demo data, which a reload would undo or trip over. */
	assert_int_equal(
	    lt_request(&srv, "GET", "/api/v1/crossing-points/CNRUI", tok, NULL, NULL, &r), 0);
	lt_resp_etag(&r, etag, sizeof(etag));
	lt_resp_release(&r);
	snprintf(hdr, sizeof(hdr), "If-Match: \"%s\"", etag);
	assert_int_equal(lt_request(&srv, "PATCH", "/api/v1/crossing-points/CNRUI", tok,
	                            "{\"note\":\"changed before the restart\"}", h, &r),
	                 0);
	LT_ASSERT_STATUS(&r, 200);
	lt_resp_release(&r);
	assert_int_equal(lt_server_stop(&srv), 0);

	assert_int_equal(lt_server_start_env(&srv, LT_REUSE, NULL, env), 0);
	/* Nothing printed: no new password, no demo loading. */
	if (srv.startup[0])
		fprintf(stderr, "restart printed: %s\n", srv.startup);
	assert_null(strstr(srv.startup, "password"));
	assert_null(strstr(srv.startup, "demo"));
	/* The old password and the old session still work; no new admin was made. */
	assert_int_equal(get_status("/api/v1/me", tok), 200);
	free(tok);
	tok = lt_login(&srv, "admin", password);
	assert_non_null(tok);
	assert_int_equal(count("/api/v1/crossing-points?limit=1000", tok, NULL), points);
	assert_int_equal(count("/api/v1/markers?limit=1000", tok, NULL), markers);
	assert_int_equal(count("/api/v1/users?limit=1000", tok, purpose), users);
	assert_int_equal(count("/api/v1/agencies?limit=1000", tok, NULL), agencies);
	assert_int_equal(
	    lt_request(&srv, "GET", "/api/v1/crossing-points/CNRUI", tok, NULL, NULL, &r), 0);
	assert_string_equal(lt_json_str(r.json, "note"), "changed before the restart");
	lt_resp_release(&r);
	assert_int_equal(lt_request(&srv, "GET", "/api/v1/crossing-points/CNRUI/status/history",
	                            tok, NULL, NULL, &r),
	                 0);
	assert_int_equal(json_array_size(json_object_get(r.json, "changes")), 10);
	lt_resp_release(&r);
	free(tok);
	assert_int_equal(lt_server_stop(&srv), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(test_sigterm_exits_cleanly, teardown),
	    cmocka_unit_test_teardown(test_sigint_exits_cleanly, teardown),
	    cmocka_unit_test_teardown(test_sigterm_finishes_the_request_in_flight, teardown),
	    cmocka_unit_test_teardown(test_acknowledged_writes_survive_kill9, teardown),
	    cmocka_unit_test_teardown(test_restart_keeps_the_database, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
