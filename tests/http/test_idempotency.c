/*
 * test_idempotency.c - Idempotency-Key on POST: posts on bad links retry, and
 * a retry must return the first result, never a duplicate.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static struct lt_server srv;
static char *admin_tok, *super_tok, *officer_tok;

static int group_setup(void **state)
{
	(void)state;
	if (lt_server_start(&srv, LT_DEMO, NULL))
		return -1;
	admin_tok = lt_login(&srv, "admin", LT_ADMIN_PASSWORD);
	super_tok = lt_login(&srv, "supervisor.ruili", LT_DEMO_PASSWORD);
	officer_tok = lt_login(&srv, "officer.ruili", LT_DEMO_PASSWORD);
	return admin_tok && super_tok && officer_tok ? 0 : -1;
}

static int group_teardown(void **state)
{
	int rc;

	(void)state;
	free(admin_tok);
	free(super_tok);
	free(officer_tok);
	rc = lt_server_stop(&srv);
	lt_server_cleanup(&srv);
	return rc == 0 ? 0 : -1;
}

static int replayed(const struct lt_resp *r)
{
	char v[16];

	return lt_resp_header(r, "Idempotent-Replayed", v, sizeof(v)) == 0 && !strcmp(v, "true");
}

static void post_key(const char *path, const char *token, const char *key, const char *body,
                     struct lt_resp *r)
{
	char hdr[300];
	const char *h[] = {hdr, NULL};

	snprintf(hdr, sizeof(hdr), "Idempotency-Key: %s", key);
	assert_int_equal(lt_request(&srv, "POST", path, token, body, key ? h : NULL, r), 0);
}

/* How many items of the list at `path` have member `key` equal to `value`. */
static int count_where(const char *path, const char *token, const char *key, const char *value)
{
	struct lt_resp r;
	size_t i;
	json_t *it;
	int n = 0;

	assert_int_equal(lt_request(&srv, "GET", path, token, NULL, NULL, &r), 0);
	LT_ASSERT_STATUS(&r, 200);
	json_array_foreach(json_object_get(r.json, "items"), i, it) n +=
	    !strcmp(lt_json_str(it, key), value);
	lt_resp_release(&r);
	return n;
}

static int history_where(const char *code, const char *reason)
{
	char path[128];
	struct lt_resp r;
	size_t i;
	json_t *ch;
	int n = 0;

	snprintf(path, sizeof(path), "/api/v1/crossing-points/%s/status/history", code);
	assert_int_equal(lt_request(&srv, "GET", path, officer_tok, NULL, NULL, &r), 0);
	LT_ASSERT_STATUS(&r, 200);
	json_array_foreach(json_object_get(r.json, "changes"), i, ch) n +=
	    !strcmp(lt_json_str(ch, "reason"), reason);
	lt_resp_release(&r);
	return n;
}

#define POINT(code, name)                                                                          \
	"{\"code\":\"" code "\",\"name\":\"" name                                                  \
	"\",\"country\":\"CN\",\"country_other\":\"MM\","                                          \
	"\"kind\":\"local\",\"modes\":[\"cargo\"],\"position\":{\"lon\":98.2,\"lat\":24.2},"       \
	"\"time_zone\":\"Asia/Shanghai\"}"

static void test_same_key_twice_replays_the_first_answer(void **state)
{
	static const char body[] = POINT("CNIDA", "Idempotent post");
	struct lt_resp a, b;
	char loc_a[128], loc_b[128];

	(void)state;
	post_key("/api/v1/crossing-points", admin_tok, "key-cnida-0001", body, &a);
	LT_ASSERT_STATUS(&a, 201);
	assert_false(replayed(&a));
	post_key("/api/v1/crossing-points", admin_tok, "key-cnida-0001", body, &b);
	LT_ASSERT_STATUS(&b, 201);
	assert_true(replayed(&b));
	assert_string_equal(lt_json_str(a.json, "id"), lt_json_str(b.json, "id"));
	assert_string_equal(lt_json_str(b.json, "code"), "CNIDA");
	assert_int_equal(lt_resp_header(&a, "Location", loc_a, sizeof(loc_a)), 0);
	assert_int_equal(lt_resp_header(&b, "Location", loc_b, sizeof(loc_b)), 0);
	assert_string_equal(loc_a, loc_b);
	lt_resp_release(&a);
	lt_resp_release(&b);
	assert_int_equal(
	    count_where("/api/v1/crossing-points?limit=1000", admin_tok, "code", "CNIDA"), 1);
	/* Without the key the same body is a new request, and a duplicate code. */
	post_key("/api/v1/crossing-points", admin_tok, NULL, body, &a);
	assert_true(lt_is_problem(&a, 409));
	lt_resp_release(&a);
}

static void test_same_key_other_body_is_409(void **state)
{
	struct lt_resp r;

	(void)state;
	post_key("/api/v1/crossing-points", admin_tok, "key-cnida-0001",
	         POINT("CNIDB", "Another body"), &r);
	assert_true(lt_is_problem(&r, 409));
	assert_string_equal(lt_json_str(r.json, "errors/0/field"), "Idempotency-Key");
	lt_resp_release(&r);
	/* The same key on another route is another request too. */
	post_key(
	    "/api/v1/markers", admin_tok, "key-cnida-0001",
	    "{\"pillar\":\"IDEM-1\",\"position\":{\"lon\":98,\"lat\":24},\"condition\":\"intact\"}",
	    &r);
	assert_true(lt_is_problem(&r, 409));
	lt_resp_release(&r);
	assert_int_equal(
	    count_where("/api/v1/crossing-points?limit=1000", admin_tok, "code", "CNIDB"), 0);
	assert_int_equal(count_where("/api/v1/markers?limit=1000", admin_tok, "pillar", "IDEM-1"),
	                 0);
}

static void test_bad_keys_are_422(void **state)
{
	char longkey[200];
	const char *keys[] = {"", "has space", "tab\there", longkey};
	struct lt_resp r;

	(void)state;
	memset(longkey, 'k', 129);
	longkey[129] = '\0';
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		char hdr[300];
		const char *h[] = {hdr, NULL};
		/* curl sends "Name;" as an empty header. */
		if (keys[i][0])
			snprintf(hdr, sizeof(hdr), "Idempotency-Key: %s", keys[i]);
		else
			snprintf(hdr, sizeof(hdr), "Idempotency-Key;");
		assert_int_equal(lt_request(&srv, "POST", "/api/v1/crossing-points", admin_tok,
		                            POINT("CNIDK", "bad key"), h, &r),
		                 0);
		if (r.status != 422)
			fprintf(stderr, "key #%zu: %ld %s\n", i, r.status, r.body);
		assert_true(lt_is_problem(&r, 422));
		assert_string_equal(lt_json_str(r.json, "errors/0/field"), "Idempotency-Key");
		lt_resp_release(&r);
	}
	assert_int_equal(
	    count_where("/api/v1/crossing-points?limit=1000", admin_tok, "code", "CNIDK"), 0);
}

/* ---- concurrent retries ----------------------------------------------------------- */

#define NTHREADS 8

struct racer {
	pthread_barrier_t *start;
	const char *path, *token, *key, *body;
	long status;
	int replayed, rc;
	char id[64];
	char field[64]; /* errors[0].field of a refusal */
};

static void *race(void *arg)
{
	struct racer *r = arg;
	char hdr[300];
	const char *h[] = {hdr, NULL};
	struct lt_resp resp;

	snprintf(hdr, sizeof(hdr), "Idempotency-Key: %s", r->key);
	pthread_barrier_wait(r->start);
	r->rc = lt_request(&srv, "POST", r->path, r->token, r->body, h, &resp);
	r->status = resp.status;
	r->replayed = replayed(&resp);
	snprintf(r->id, sizeof(r->id), "%s", lt_json_str(resp.json, "id"));
	snprintf(r->field, sizeof(r->field), "%s", lt_json_str(resp.json, "errors/0/field"));
	lt_resp_release(&resp);
	return NULL;
}

/* NTHREADS identical requests at once; checks the answers, returns the id. */
static void run_race(const char *path, const char *token, const char *key, const char *body,
                     char *id, size_t cap)
{
	pthread_barrier_t start;
	pthread_t t[NTHREADS];
	struct racer r[NTHREADS];
	int originals = 0, created = 0;

	assert_int_equal(pthread_barrier_init(&start, NULL, NTHREADS), 0);
	for (int i = 0; i < NTHREADS; i++) {
		r[i] = (struct racer){&start, path, token, key, body, 0, 0, 0, "", ""};
		assert_int_equal(pthread_create(&t[i], NULL, race, &r[i]), 0);
	}
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&start);
	id[0] = '\0';
	for (int i = 0; i < NTHREADS; i++) {
		assert_int_equal(r[i].rc, 0);
		/*
		 * A retry racing the first request may be told the key is busy
		 * (409 on Idempotency-Key); anything else, a duplicate-code 409
		 * included, means the retry was run a second time.
		 */
		if (r[i].status != 201 &&
		    !(r[i].status == 409 && !strcmp(r[i].field, "Idempotency-Key")))
			fprintf(stderr, "racer %d: %ld %s\n", i, r[i].status, r[i].field);
		assert_true(r[i].status == 201 ||
		            (r[i].status == 409 && !strcmp(r[i].field, "Idempotency-Key")));
		if (r[i].status != 201)
			continue;
		created++;
		originals += !r[i].replayed;
		if (!id[0])
			snprintf(id, cap, "%s", r[i].id);
		assert_string_equal(r[i].id, id);
	}
	assert_true(created >= 1);
	assert_int_equal(originals, 1);
}

static void test_concurrent_retries_create_one_object(void **state)
{
	char id[64];

	(void)state;
	run_race("/api/v1/crossing-points", admin_tok, "race-cnidr", POINT("CNIDR", "Raced post"),
	         id, sizeof(id));
	assert_int_equal(
	    count_where("/api/v1/crossing-points?limit=1000", admin_tok, "code", "CNIDR"), 1);
	/* A status change has no natural key to save it: only the idempotency record does. */
	run_race("/api/v1/crossing-points/CNRUI/status", super_tok, "race-status",
	         "{\"state\":\"restricted\",\"reason\":\"raced status change\","
	         "\"from\":\"2030-01-01T00:00:00Z\",\"until\":\"2030-01-02T00:00:00Z\"}",
	         id, sizeof(id));
	assert_int_equal(history_where("CNRUI", "raced status change"), 1);
	/* And an inspection. */
	run_race("/api/v1/markers/D-020/inspections", officer_tok, "race-inspection",
	         "{\"inspected_at\":\"2025-03-03T03:03:00Z\",\"condition\":\"damaged\","
	         "\"note\":\"raced inspection\"}",
	         id, sizeof(id));
	assert_int_equal(count_where("/api/v1/markers/D-020/inspections", officer_tok, "note",
	                             "raced inspection"),
	                 1);
}

static void test_keys_belong_to_their_user(void **state)
{
	static const char body[] =
	    "{\"state\":\"restricted\",\"reason\":\"per-user key\","
	    "\"from\":\"2030-02-01T00:00:00Z\",\"until\":\"2030-02-02T00:00:00Z\"}";
	struct lt_resp a, b;
	char *admin2;

	(void)state;
	/* The same key and the same body from two users: two changes, neither a replay. */
	post_key("/api/v1/crossing-points/CNRUI/status", super_tok, "shared-key-1", body, &a);
	post_key("/api/v1/crossing-points/CNRUI/status", admin_tok, "shared-key-1", body, &b);
	LT_ASSERT_STATUS(&a, 201);
	LT_ASSERT_STATUS(&b, 201);
	assert_false(replayed(&a));
	assert_false(replayed(&b));
	assert_string_not_equal(lt_json_str(a.json, "id"), lt_json_str(b.json, "id"));
	lt_resp_release(&a);
	lt_resp_release(&b);
	assert_int_equal(history_where("CNRUI", "per-user key"), 2);

	/* A second administrator with the first one's key and another body: no conflict. */
	post_key(
	    "/api/v1/users", admin_tok, "admin2-key",
	    "{\"username\":\"admin.two\",\"display_name\":\"Second admin\","
	    "\"agency\":\"CN-GOV-RUILI\",\"role\":\"admin\",\"password\":\"second-admin-pw-1\"}",
	    &a);
	LT_ASSERT_STATUS(&a, 201);
	lt_resp_release(&a);
	admin2 = lt_login(&srv, "admin.two", "second-admin-pw-1");
	assert_non_null(admin2);
	post_key("/api/v1/agencies", admin_tok, "agency-key",
	         "{\"code\":\"IDEM-ONE\",\"name\":\"One\",\"kind\":\"other\",\"country\":\"CN\"}",
	         &a);
	post_key("/api/v1/agencies", admin2, "agency-key",
	         "{\"code\":\"IDEM-TWO\",\"name\":\"Two\",\"kind\":\"other\",\"country\":\"CN\"}",
	         &b);
	LT_ASSERT_STATUS(&a, 201);
	LT_ASSERT_STATUS(&b, 201);
	assert_false(replayed(&b));
	assert_string_equal(lt_json_str(b.json, "code"), "IDEM-TWO");
	lt_resp_release(&a);
	lt_resp_release(&b);
	free(admin2);
}

static void test_retried_status_change_creates_one_change(void **state)
{
	static const char body[] = "{\"state\":\"closed\",\"scope\":{\"modes\":[\"cargo\"]},"
	                           "\"reason\":\"retried over a bad link\","
	                           "\"from\":\"2030-03-01T00:00:00Z\",\"until\":null}";
	struct lt_resp a, b, c;

	(void)state;
	post_key("/api/v1/crossing-points/CNWDG/status", super_tok, "post-wdg-0042", body, &a);
	post_key("/api/v1/crossing-points/CNWDG/status", super_tok, "post-wdg-0042", body, &b);
	post_key("/api/v1/crossing-points/CNWDG/status", super_tok, "post-wdg-0042", body, &c);
	LT_ASSERT_STATUS(&a, 201);
	LT_ASSERT_STATUS(&b, 201);
	LT_ASSERT_STATUS(&c, 201);
	assert_false(replayed(&a));
	assert_true(replayed(&b));
	assert_true(replayed(&c));
	assert_string_equal(lt_json_str(a.json, "id"), lt_json_str(b.json, "id"));
	assert_string_equal(lt_json_str(a.json, "id"), lt_json_str(c.json, "id"));
	lt_resp_release(&a);
	lt_resp_release(&b);
	lt_resp_release(&c);
	assert_int_equal(history_where("CNWDG", "retried over a bad link"), 1);
}

static void test_retried_user_create_replays(void **state)
{
	static const char body[] =
	    "{\"username\":\"idem.user\",\"display_name\":\"Idempotent user\","
	    "\"agency\":\"CN-IMM-RUILI\",\"role\":\"analyst\",\"password\":\"idem-user-pw-12\"}";
	struct lt_resp a, b;

	(void)state;
	/* The first POST needs no X-Purpose, so neither may its retry. */
	post_key("/api/v1/users", admin_tok, "idem-user-1", body, &a);
	post_key("/api/v1/users", admin_tok, "idem-user-1", body, &b);
	LT_ASSERT_STATUS(&a, 201);
	/* Regression guard (src/http/h_people.c h_user_create): the replay reads the account back,
	 * which demands an X-Purpose the original request did not need: 422 instead of the replay.
	 */
	LT_ASSERT_STATUS(&b, 201);
	assert_true(replayed(&b));
	assert_string_equal(lt_json_str(a.json, "id"), lt_json_str(b.json, "id"));
	assert_null(json_object_get(b.json, "password"));
	lt_resp_release(&a);
	lt_resp_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_same_key_twice_replays_the_first_answer),
	    cmocka_unit_test(test_same_key_other_body_is_409),
	    cmocka_unit_test(test_bad_keys_are_422),
	    cmocka_unit_test(test_concurrent_retries_create_one_object),
	    cmocka_unit_test(test_keys_belong_to_their_user),
	    cmocka_unit_test(test_retried_status_change_creates_one_change),
	    cmocka_unit_test(test_retried_user_create_replays),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
