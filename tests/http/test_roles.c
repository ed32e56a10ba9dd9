/*
 * test_roles.c - the role x endpoint matrix, every route for every role,
 * and the audit trail of the refusals.
 *
 * One demo user per role (data/demo/02-users.json). Each row of the table is
 * one request; its expected status is given for every role in the order of
 * `roles` below. A row's body and path may say $R (the role, lower case) or
 * $U (upper case) so that what one role creates does not collide with what
 * another creates; $USER and $PASS are the role's own login.
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

#include "harness.h"

enum { OFF, SUP, ANA, ADM, AUD, HUM, NROLES };

static const struct {
	const char *name, *user, *password;
} roles[NROLES] = {
    {"officer", "officer.ruili", LT_DEMO_PASSWORD},
    {"supervisor", "supervisor.ruili", LT_DEMO_PASSWORD},
    {"analyst", "analyst.ministry", LT_DEMO_PASSWORD},
    {"admin", "admin", LT_ADMIN_PASSWORD},
    {"auditor", "auditor.ministry", LT_DEMO_PASSWORD},
    {"humanitarian", "aid.redcross", LT_DEMO_PASSWORD},
};

enum row_flags {
	PURPOSE = 1 << 0,     /* send X-Purpose */
	IF_MATCH = 1 << 1,    /* send If-Match with the resource's current ETag */
	FRESH_TOKEN = 1 << 2, /* use a token of its own (the request ends the session) */
	NO_TOKEN = 1 << 3,    /* send no token at all (login) */
};

struct row {
	const char *route; /* the route template from `limes routes` */
	const char *method;
	const char *path;
	const char *body;
	unsigned flags;
	int expect[NROLES]; /* officer, supervisor, analyst, admin, auditor, humanitarian */
};

#define ALL(st)                                                                                    \
	{                                                                                          \
		st, st, st, st, st, st                                                             \
	}
#define ADMIN_ONLY(ok)                                                                             \
	{                                                                                          \
		403, 403, 403, ok, 403, 403                                                        \
	}

/* clang-format off */
static const struct row matrix[] = {
	{"/healthz", "GET", "/healthz", NULL, 0, ALL(200)},
	{"/metrics", "GET", "/metrics", NULL, 0, ALL(200)},
	{"/api/v1/openapi.json", "GET", "/api/v1/openapi.json", NULL, 0, ALL(200)},
	{"/api/v1/sessions", "POST", "/api/v1/sessions",
	 "{\"username\":\"$USER\",\"password\":\"$PASS\"}", NO_TOKEN, ALL(201)},
	{"/api/v1/sessions/current", "DELETE", "/api/v1/sessions/current", NULL, FRESH_TOKEN,
	 ALL(204)},
	{"/api/v1/me", "GET", "/api/v1/me", NULL, 0, ALL(200)},
	/* Everyone manages their own API tokens. */
	{"/api/v1/tokens", "GET", "/api/v1/tokens", NULL, 0, ALL(200)},
	{"/api/v1/tokens", "POST", "/api/v1/tokens", "{\"label\":\"role test $R\"}", 0, ALL(201)},
	{"/api/v1/tokens/{id}", "DELETE", "/api/v1/tokens/01900000-0000-7000-8000-000000000000",
	 NULL, 0, ALL(404)},
	/* Everyone may change their own password; a wrong current one is 422, never a change. */
	{"/api/v1/me/password", "POST", "/api/v1/me/password",
	 "{\"current_password\":\"not-my-password-$R\",\"new_password\":\"role-test-new-password\"}",
	 0, ALL(422)},

	{"/api/v1/agencies", "GET", "/api/v1/agencies", NULL, 0, ALL(200)},
	{"/api/v1/agencies", "POST", "/api/v1/agencies",
	 "{\"code\":\"RT-$U\",\"name\":\"Role test $R\",\"kind\":\"other\",\"country\":\"CN\"}", 0,
	 ADMIN_ONLY(201)},
	{"/api/v1/agencies/{id}", "GET", "/api/v1/agencies/CN-IMM-RUILI", NULL, 0, ALL(200)},
	{"/api/v1/agencies/{id}", "PATCH", "/api/v1/agencies/CN-HEALTH-RUILI",
	 "{\"name\":\"Role test $R\"}", IF_MATCH, ADMIN_ONLY(200)},

	/* Staff accounts are personal data: admin and auditor only, and only with a purpose. */
	{"/api/v1/users", "GET", "/api/v1/users", NULL, 0, {403, 403, 403, 422, 422, 403}},
	{"/api/v1/users", "GET", "/api/v1/users", NULL, PURPOSE, {403, 403, 403, 200, 200, 403}},
	{"/api/v1/users", "POST", "/api/v1/users",
	 "{\"username\":\"rt.$R\",\"display_name\":\"Role test $R\",\"agency\":\"CN-IMM-RUILI\","
	 "\"role\":\"officer\",\"password\":\"role-test-password-1\"}", PURPOSE, ADMIN_ONLY(201)},
	{"/api/v1/users/{id}", "GET", "/api/v1/users/officer.wanding", NULL, 0,
	 {403, 403, 403, 422, 422, 403}},
	{"/api/v1/users/{id}", "GET", "/api/v1/users/officer.wanding", NULL, PURPOSE,
	 {403, 403, 403, 200, 200, 403}},
	{"/api/v1/users/{id}", "PATCH", "/api/v1/users/officer.wanding",
	 "{\"display_name\":\"Demo Officer Zhao (role test $R)\"}", PURPOSE | IF_MATCH,
	 ADMIN_ONLY(200)},
	{"/api/v1/users/{id}/password", "POST", "/api/v1/users/health.ruili/password",
	 "{\"password\":\"role-test-password-$R\"}", 0, ADMIN_ONLY(204)},

	{"/api/v1/crossing-points", "GET", "/api/v1/crossing-points", NULL, 0, ALL(200)},
	{"/api/v1/crossing-points", "POST", "/api/v1/crossing-points",
	 "{\"code\":\"CNRTA\",\"name\":\"Role test $R\",\"country\":\"CN\",\"country_other\":\"MM\","
	 "\"kind\":\"local\",\"modes\":[\"pedestrian\"],\"position\":{\"lon\":98.5,\"lat\":24.5},"
	 "\"time_zone\":\"Asia/Shanghai\"}", 0, ADMIN_ONLY(201)},
	{"/api/v1/crossing-points/{code}", "GET", "/api/v1/crossing-points/CNRUI", NULL, 0,
	 ALL(200)},
	{"/api/v1/crossing-points/{code}", "PATCH", "/api/v1/crossing-points/CNPMA",
	 "{\"note\":\"role test $R\"}", IF_MATCH, ADMIN_ONLY(200)},
	{"/api/v1/crossing-points/{code}/status", "GET", "/api/v1/crossing-points/CNRUI/status",
	 NULL, 0, ALL(200)},
	/* supervisor.ruili is assigned to CNRUI and CNWDG ... */
	{"/api/v1/crossing-points/{code}/status", "POST", "/api/v1/crossing-points/CNRUI/status",
	 "{\"state\":\"restricted\",\"reason\":\"role test $R\",\"from\":\"2031-01-01T00:00:00Z\","
	 "\"until\":\"2031-01-02T00:00:00Z\"}", 0, {403, 201, 403, 201, 403, 403}},
	/* ... and not to CNQSH. */
	{"/api/v1/crossing-points/{code}/status", "POST", "/api/v1/crossing-points/CNQSH/status",
	 "{\"state\":\"restricted\",\"reason\":\"role test $R\",\"from\":\"2031-01-01T00:00:00Z\","
	 "\"until\":\"2031-01-02T00:00:00Z\"}", 0, ADMIN_ONLY(201)},
	{"/api/v1/crossing-points/{code}/status/history", "GET",
	 "/api/v1/crossing-points/CNRUI/status/history", NULL, 0, ALL(200)},

	{"/api/v1/segments", "GET", "/api/v1/segments", NULL, 0, ALL(200)},
	{"/api/v1/segments", "POST", "/api/v1/segments",
	 "{\"code\":\"RT-SEG-$U\",\"name\":\"Role test $R\",\"countries\":[\"CN\",\"MM\"],"
	 "\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[98.0,24.0],[98.1,24.1]]}}", 0,
	 ADMIN_ONLY(201)},
	{"/api/v1/segments/{code}", "GET", "/api/v1/segments/CN-MM-01", NULL, 0, ALL(200)},
	{"/api/v1/segments/{code}", "PATCH", "/api/v1/segments/CN-MM-02",
	 "{\"note\":\"role test $R\"}", IF_MATCH, ADMIN_ONLY(200)},

	{"/api/v1/markers", "GET", "/api/v1/markers", NULL, 0, ALL(200)},
	{"/api/v1/markers", "POST", "/api/v1/markers",
	 "{\"pillar\":\"RT-$U\",\"position\":{\"lon\":98.0,\"lat\":24.0},\"condition\":\"intact\"}",
	 0, ADMIN_ONLY(201)},
	{"/api/v1/markers/{pillar}", "GET", "/api/v1/markers/D-001", NULL, 0, ALL(200)},
	{"/api/v1/markers/{pillar}", "PATCH", "/api/v1/markers/D-002",
	 "{\"note\":\"role test $R\"}", IF_MATCH, ADMIN_ONLY(200)},
	{"/api/v1/markers/{pillar}/inspections", "GET", "/api/v1/markers/D-001/inspections", NULL,
	 0, ALL(200)},
	/* Officers and supervisors inspect markers in the field. */
	{"/api/v1/markers/{pillar}/inspections", "POST", "/api/v1/markers/D-003/inspections",
	 "{\"inspected_at\":\"2025-06-01T03:00:00Z\",\"condition\":\"damaged\","
	 "\"note\":\"role test $R\"}", 0, {201, 201, 403, 201, 403, 403}},

	/* Deletes: admin only; these objects have history, so even the admin gets 409. */
	{"/api/v1/crossing-points/{code}", "DELETE", "/api/v1/crossing-points/CNRUI", NULL,
	 IF_MATCH, ADMIN_ONLY(409)},
	{"/api/v1/segments/{code}", "DELETE", "/api/v1/segments/CN-MM-01", NULL, IF_MATCH,
	 ADMIN_ONLY(409)},
	{"/api/v1/markers/{pillar}", "DELETE", "/api/v1/markers/D-003", NULL, IF_MATCH,
	 ADMIN_ONLY(409)},

	/* Separation of duties: the administrator cannot read the audit log. */
	{"/api/v1/audit", "GET", "/api/v1/audit", NULL, 0, {403, 403, 403, 403, 200, 403}},

	{"/", "GET", "/", NULL, 0, ALL(200)},
	{"/static/{path}", "GET", "/static/hello.txt", NULL, 0, ALL(200)},
};
/* clang-format on */

#define NROWS (sizeof(matrix) / sizeof(matrix[0]))

static struct lt_server srv;
static char *tok[NROLES];
static char user_id[NROLES][64];

static int group_setup(void **state)
{
	(void)state;
	if (lt_server_start(&srv, LT_DEMO, NULL))
		return -1;
	for (int i = 0; i < NROLES; i++) {
		struct lt_resp r;
		tok[i] = lt_login(&srv, roles[i].user, roles[i].password);
		if (!tok[i])
			return -1;
		if (lt_request(&srv, "GET", "/api/v1/me", tok[i], NULL, NULL, &r) ||
		    r.status != 200)
			return -1;
		snprintf(user_id[i], sizeof(user_id[i]), "%s", lt_json_str(r.json, "id"));
		lt_resp_release(&r);
	}
	return 0;
}

static int group_teardown(void **state)
{
	int rc;

	(void)state;
	for (int i = 0; i < NROLES; i++)
		free(tok[i]);
	rc = lt_server_stop(&srv);
	lt_server_cleanup(&srv);
	return rc == 0 ? 0 : -1;
}

/* Replace $USER, $PASS, $R and $U in `in`. */
static void expand(const char *in, int role, char *out, size_t cap)
{
	char upper[32];
	size_t n = 0, i;

	for (i = 0; roles[role].name[i] && i + 1 < sizeof(upper); i++)
		upper[i] = (char)toupper((unsigned char)roles[role].name[i]);
	upper[i] = '\0';
	while (*in && n + 1 < cap) {
		const char *v = NULL;
		size_t skip = 0;
		if (!strncmp(in, "$USER", 5))
			v = roles[role].user, skip = 5;
		else if (!strncmp(in, "$PASS", 5))
			v = roles[role].password, skip = 5;
		else if (!strncmp(in, "$R", 2))
			v = roles[role].name, skip = 2;
		else if (!strncmp(in, "$U", 2))
			v = upper, skip = 2;
		if (v) {
			n += (size_t)snprintf(out + n, cap - n, "%s", v);
			in += skip;
		} else {
			out[n++] = *in++;
		}
	}
	out[n < cap ? n : cap - 1] = '\0';
}

static const char purpose_hdr[] = "X-Purpose: role matrix test";

/* The resource's current ETag, read as the administrator. */
static void current_etag(const char *path, char *out, size_t cap)
{
	const char *h[] = {purpose_hdr, NULL};
	struct lt_resp r;

	assert_int_equal(lt_request(&srv, "GET", path, tok[ADM], NULL, h, &r), 0);
	LT_ASSERT_STATUS(&r, 200);
	lt_resp_etag(&r, out, cap);
	assert_true(out[0] != '\0');
	lt_resp_release(&r);
}

static int expected_403s[NROLES];

static void test_matrix_covers_every_route(void **state)
{
	const char *args[] = {"routes", NULL};
	char *out = NULL, *line, *save = NULL;
	size_t n = 0, missing = 0;

	(void)state;
	assert_int_equal(lt_cli(args, NULL, &out, NULL), 0);
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char method[16], path[128];
		int found = 0;
		assert_int_equal(sscanf(line, "%15s %127s", method, path), 2);
		for (size_t i = 0; i < NROWS && !found; i++)
			found = !strcmp(matrix[i].method, method) && !strcmp(matrix[i].route, path);
		if (!found) {
			fprintf(stderr, "the role matrix has no row for %s %s\n", method, path);
			missing++;
		}
		n++;
	}
	free(out);
	assert_true(n >= 30);
	assert_int_equal(missing, 0);
}

static void test_role_endpoint_matrix(void **state)
{
	size_t wrong = 0;

	(void)state;
	for (size_t i = 0; i < NROWS; i++) {
		const struct row *row = &matrix[i];
		for (int role = 0; role < NROLES; role++) {
			char path[256], body[1024], etag[64], if_match[96];
			const char *h[4];
			size_t nh = 0;
			const char *token = tok[role];
			char *fresh = NULL;
			struct lt_resp r;

			expand(row->path, role, path, sizeof(path));
			if (row->body)
				expand(row->body, role, body, sizeof(body));
			if (row->flags & PURPOSE)
				h[nh++] = purpose_hdr;
			if (row->flags & IF_MATCH) {
				current_etag(path, etag, sizeof(etag));
				snprintf(if_match, sizeof(if_match), "If-Match: \"%s\"", etag);
				h[nh++] = if_match;
			}
			h[nh] = NULL;
			if (row->flags & FRESH_TOKEN) {
				fresh = lt_login(&srv, roles[role].user, roles[role].password);
				assert_non_null(fresh);
				token = fresh;
			}
			if (row->flags & NO_TOKEN)
				token = NULL;
			assert_int_equal(lt_request(&srv, row->method, path, token,
			                            row->body ? body : NULL, h, &r),
			                 0);
			if (r.status != row->expect[role]) {
				fprintf(stderr, "%-12s %-6s %-45s expected %d, got %ld: %.200s\n",
				        roles[role].name, row->method, path, row->expect[role],
				        r.status, r.body);
				wrong++;
			} else if (r.status >= 400 && !lt_is_problem(&r, r.status)) {
				wrong++;
			}
			if (row->expect[role] == 403)
				expected_403s[role]++;
			lt_resp_release(&r);
			free(fresh);
		}
	}
	assert_int_equal(wrong, 0);
}

struct audit_count {
	int refusals;
	int refused_point_create; /* crossing_point.create of CNRTA refused */
};

/* Page through the audit events of one user (as the auditor). */
static void count_refusals(const char *uid, struct audit_count *c)
{
	char after[128] = "";

	memset(c, 0, sizeof(*c));
	for (int page = 0; page < 100; page++) {
		char path[512];
		struct lt_resp r;
		json_t *items, *ev, *next;
		size_t i;
		snprintf(path, sizeof(path), "/api/v1/audit?user_id=%s&limit=200%s%s", uid,
		         after[0] ? "&after=" : "", after);
		assert_int_equal(lt_request(&srv, "GET", path, tok[AUD], NULL, NULL, &r), 0);
		LT_ASSERT_STATUS(&r, 200);
		items = json_object_get(r.json, "items");
		assert_true(json_is_array(items));
		json_array_foreach(items, i, ev)
		{
			assert_string_equal(lt_json_str(ev, "user_id"), uid);
			if (json_integer_value(json_object_get(ev, "outcome")) != 403)
				continue;
			c->refusals++;
			if (!strcmp(lt_json_str(ev, "action"), "crossing_point.create") &&
			    !strcmp(lt_json_str(ev, "object_id"), "CNRTA"))
				c->refused_point_create++;
		}
		next = json_object_get(r.json, "next");
		if (!json_is_string(next)) {
			lt_resp_release(&r);
			return;
		}
		snprintf(after, sizeof(after), "%s", json_string_value(next));
		lt_resp_release(&r);
	}
	fail_msg("audit paging did not end");
}

static void test_refusals_are_audited_with_403(void **state)
{
	(void)state;
	/* Needs the matrix to have run first (cmocka runs tests in order). */
	assert_true(expected_403s[OFF] > 0);
	for (int role = 0; role < NROLES; role++) {
		struct audit_count c;
		count_refusals(user_id[role], &c);
		if (c.refusals != expected_403s[role])
			fprintf(stderr, "%s: %d refusals in the audit log, %d answered 403\n",
			        roles[role].name, c.refusals, expected_403s[role]);
		/* One audit event per refusal, no more, no less. */
		assert_int_equal(c.refusals, expected_403s[role]);
		assert_int_equal(c.refused_point_create, role == ADM ? 0 : 1);
	}
}

static void test_user_reads_name_the_missing_purpose(void **state)
{
	static const char *const empty_purpose[] = {"X-Purpose;", NULL} /* curl: empty value */;
	struct lt_resp r;

	(void)state;
	assert_int_equal(
	    lt_request(&srv, "GET", "/api/v1/users/officer.wanding", tok[AUD], NULL, NULL, &r), 0);
	assert_true(lt_is_problem(&r, 422));
	assert_string_equal(lt_json_str(r.json, "errors/0/field"), "X-Purpose");
	lt_resp_release(&r);
	/* An empty purpose is no purpose. */
	assert_int_equal(lt_request(&srv, "GET", "/api/v1/users/officer.wanding", tok[AUD], NULL,
	                            empty_purpose, &r),
	                 0);
	assert_true(lt_is_problem(&r, 422));
	lt_resp_release(&r);
	/* Your own account is not someone else's personal data. */
	assert_int_equal(
	    lt_request(&srv, "GET", "/api/v1/users/officer.ruili", tok[OFF], NULL, NULL, &r), 0);
	LT_ASSERT_STATUS(&r, 200);
	assert_string_equal(lt_json_str(r.json, "username"), "officer.ruili");
	lt_resp_release(&r);
}

static void test_supervisor_status_scope(void **state)
{
	static const char body[] = "{\"state\":\"closed\",\"reason\":\"scope test\","
	                           "\"from\":\"2032-01-01T00:00:00Z\",\"until\":null}";
	struct lt_resp r;

	(void)state;
	/* Assigned: CNRUI and CNWDG. */
	assert_int_equal(lt_request(&srv, "POST", "/api/v1/crossing-points/CNWDG/status", tok[SUP],
	                            body, NULL, &r),
	                 0);
	LT_ASSERT_STATUS(&r, 201);
	lt_resp_release(&r);
	/* Not assigned: the Myanmar side, even of the same crossing. */
	assert_int_equal(lt_request(&srv, "POST", "/api/v1/crossing-points/MMMSE/status", tok[SUP],
	                            body, NULL, &r),
	                 0);
	assert_true(lt_is_problem(&r, 403));
	lt_resp_release(&r);
	/* And the refused change left nothing behind. */
	assert_int_equal(lt_request(&srv, "GET", "/api/v1/crossing-points/MMMSE/status/history",
	                            tok[SUP], NULL, NULL, &r),
	                 0);
	LT_ASSERT_STATUS(&r, 200);
	{
		size_t i;
		json_t *ch;
		json_array_foreach(json_object_get(r.json, "changes"), i, ch)
		    assert_string_not_equal(lt_json_str(ch, "reason"), "scope test");
	}
	lt_resp_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_matrix_covers_every_route),
	    cmocka_unit_test(test_role_endpoint_matrix),
	    cmocka_unit_test(test_refusals_are_audited_with_403),
	    cmocka_unit_test(test_user_reads_name_the_missing_purpose),
	    cmocka_unit_test(test_supervisor_status_scope),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
