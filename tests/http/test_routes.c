/*
 * test_routes.c - the route table from the outside: every route is in the
 * OpenAPI document, unknown paths are 404, wrong methods 405 with Allow,
 * /healthz and /metrics, problem+json on every error, X-Request-Id on
 * every response.
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

static struct lt_server srv;
static char *admin_tok;

#define ROUTES_MAX 128

struct route {
	char method[16];
	char path[128];
};

static struct route routes[ROUTES_MAX];
static size_t nroutes;

static int group_setup(void **state)
{
	const char *args[] = {"routes", NULL};
	char *out = NULL, *line, *save = NULL;

	(void)state;
	if (lt_server_start(&srv, LT_DEMO, NULL))
		return -1;
	admin_tok = lt_login(&srv, "admin", LT_ADMIN_PASSWORD);
	if (!admin_tok)
		return -1;
	if (lt_cli(args, NULL, &out, NULL) != 0) {
		free(out);
		return -1;
	}
	for (line = strtok_r(out, "\n", &save); line && nroutes < ROUTES_MAX;
	     line = strtok_r(NULL, "\n", &save)) {
		struct route *r = &routes[nroutes];
		if (sscanf(line, "%15s %127s", r->method, r->path) == 2)
			nroutes++;
	}
	free(out);
	return nroutes > 0 ? 0 : -1;
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

/* A concrete path for a route template: every {param} gets a value that exists in the demo. */
static void instantiate(const char *tmpl, char *out, size_t cap)
{
	size_t n = 0;

	for (const char *p = tmpl; *p && n + 1 < cap;) {
		if (*p == '{') {
			const char *close = strchr(p, '}');
			const char *v = "x";
			if (!close)
				break;
			if (strncmp(p, "{code}", 6) == 0)
				v = strstr(tmpl, "segments") ? "CN-MM-01" : "CNRUI";
			else if (strncmp(p, "{pillar}", 8) == 0)
				v = "D-001";
			else if (strncmp(p, "{id}", 4) == 0)
				v = strstr(tmpl, "agencies") ? "CN-IMM-RUILI" : "officer.ruili";
			else if (strncmp(p, "{path}", 6) == 0)
				v = "hello.txt";
			n += (size_t)snprintf(out + n, cap - n, "%s", v);
			p = close + 1;
		} else {
			out[n++] = *p++;
		}
	}
	out[n < cap ? n : cap - 1] = '\0';
}

static void lower(const char *in, char *out, size_t cap)
{
	size_t i;

	for (i = 0; in[i] && i + 1 < cap; i++)
		out[i] = (char)tolower((unsigned char)in[i]);
	out[i] = '\0';
}

static void test_cli_lists_the_routes(void **state)
{
	int has_login = 0, has_openapi = 0;

	(void)state;
	/* The table is the whole API of issue 2: 34 routes. */
	assert_true(nroutes >= 30);
	for (size_t i = 0; i < nroutes; i++) {
		assert_true(routes[i].path[0] == '/');
		has_login |= !strcmp(routes[i].method, "POST") &&
		             !strcmp(routes[i].path, "/api/v1/sessions");
		has_openapi |= !strcmp(routes[i].path, "/api/v1/openapi.json");
	}
	assert_true(has_login);
	assert_true(has_openapi);
}

static void test_openapi_describes_every_route(void **state)
{
	struct lt_resp r;
	json_t *paths;
	size_t missing = 0;

	(void)state;
	/* Public: no token. */
	assert_int_equal(lt_request(&srv, "GET", "/api/v1/openapi.json", NULL, NULL, NULL, &r), 0);
	LT_ASSERT_STATUS(&r, 200);
	assert_non_null(r.json);
	assert_true(strncmp(lt_json_str(r.json, "openapi"), "3.1", 3) == 0);
	paths = json_object_get(r.json, "paths");
	assert_true(json_is_object(paths));
	for (size_t i = 0; i < nroutes; i++) {
		char m[16];
		json_t *item = json_object_get(paths, routes[i].path);
		lower(routes[i].method, m, sizeof(m));
		if (!json_is_object(item) || !json_is_object(json_object_get(item, m))) {
			fprintf(stderr, "openapi.json lacks %s %s\n", routes[i].method,
			        routes[i].path);
			missing++;
		}
	}
	lt_resp_release(&r);
	assert_int_equal(missing, 0);
}

static void test_unknown_path_is_404(void **state)
{
	static const char *const paths[] = {
	    "/nope",
	    "/api/v1/nope",
	    "/api/v2/crossing-points",
	    "/api/v1/crossing-points/CNRUI/bogus",
	    "/api/v1/crossing-points/CNRUI/status/history/extra",
	    "/api/v1/crossing-points/",
	    "/api//v1/me",
	    "/healthz/",
	    "/HEALTHZ",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		struct lt_resp r;
		/* With and without a token: routing comes first. */
		for (int t = 0; t < 2; t++) {
			assert_int_equal(
			    lt_request(&srv, "GET", paths[i], t ? admin_tok : NULL, NULL, NULL, &r),
			    0);
			if (!lt_is_problem(&r, 404))
				fprintf(stderr, "path %s\n", paths[i]);
			assert_true(lt_is_problem(&r, 404));
			lt_resp_release(&r);
		}
	}
}

static void test_wrong_method_is_405_with_allow(void **state)
{
	static const char *const wrong[] = {"PUT", "DELETE", "PATCH", "POST", "GET"};

	(void)state;
	for (size_t i = 0; i < nroutes; i++) {
		char path[256], allow[128];
		const char *method = NULL;
		struct lt_resp r;
		/* A method this path template has under no route. */
		for (size_t w = 0; w < sizeof(wrong) / sizeof(wrong[0]) && !method; w++) {
			int taken = 0;
			for (size_t j = 0; j < nroutes; j++)
				taken |= !strcmp(routes[j].path, routes[i].path) &&
				         !strcmp(routes[j].method, wrong[w]);
			if (!taken)
				method = wrong[w];
		}
		assert_non_null(method);
		instantiate(routes[i].path, path, sizeof(path));
		assert_int_equal(
		    lt_request(&srv, method, path, admin_tok,
		               strcmp(method, "GET") && strcmp(method, "DELETE") ? "{}" : NULL,
		               NULL, &r),
		    0);
		if (r.status != 405)
			fprintf(stderr, "%s %s\n", method, path);
		assert_true(lt_is_problem(&r, 405));
		assert_int_equal(lt_resp_header(&r, "Allow", allow, sizeof(allow)), 0);
		/* Allow names every method the path does have, and not the one refused. */
		for (size_t j = 0; j < nroutes; j++)
			if (!strcmp(routes[j].path, routes[i].path))
				assert_non_null(strstr(allow, routes[j].method));
		assert_null(strstr(allow, method));
		lt_resp_release(&r);
	}
}

static void test_healthz_without_token(void **state)
{
	struct lt_resp r;

	(void)state;
	assert_int_equal(lt_request(&srv, "GET", "/healthz", NULL, NULL, NULL, &r), 0);
	LT_ASSERT_STATUS(&r, 200);
	assert_string_equal(lt_json_str(r.json, "status"), "ok");
	lt_resp_release(&r);
}

/* One sample line "name{labels} value", or NULL when absent. */
static const char *metric_line(const char *text, const char *prefix)
{
	const char *p = text;
	size_t n = strlen(prefix);

	while (p && *p) {
		if (strncmp(p, prefix, n) == 0)
			return p;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}

static double metric_value(const char *text, const char *prefix)
{
	const char *l = metric_line(text, prefix);
	const char *sp;

	if (!l)
		return -1;
	sp = strchr(l, ' ');
	return sp ? strtod(sp + 1, NULL) : -1;
}

/* Every line is a comment or "name{labels} number" (Prometheus text format 0.0.4). */
static void check_exposition_format(const char *text)
{
	const char *p = text;

	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		char line[512], *sp, *end;
		assert_true(len < sizeof(line));
		memcpy(line, p, len);
		line[len] = '\0';
		if (line[0] != '#') {
			assert_true(isalpha((unsigned char)line[0]) || line[0] == '_');
			sp = strrchr(line, ' ');
			assert_non_null(sp);
			strtod(sp + 1, &end);
			if (*end != '\0')
				fprintf(stderr, "bad sample: %s\n", line);
			assert_true(*end == '\0' && end != sp + 1);
		}
		assert_non_null(eol); /* the last line ends with a newline too */
		p = eol + 1;
	}
}

static void test_metrics_needs_token_then_prometheus(void **state)
{
	struct lt_resp r;
	char wa[128];
	double inf, count;

	(void)state;
	assert_int_equal(lt_request(&srv, "GET", "/metrics", NULL, NULL, NULL, &r), 0);
	assert_true(lt_is_problem(&r, 401));
	assert_int_equal(lt_resp_header(&r, "WWW-Authenticate", wa, sizeof(wa)), 0);
	lt_resp_release(&r);

	/* Make sure a known route has a sample. */
	assert_int_equal(lt_request(&srv, "GET", "/healthz", NULL, NULL, NULL, &r), 0);
	lt_resp_release(&r);
	assert_int_equal(lt_request(&srv, "GET", "/metrics", admin_tok, NULL, NULL, &r), 0);
	LT_ASSERT_STATUS(&r, 200);
	assert_true(strncmp(r.content_type, "text/plain", 10) == 0);
	check_exposition_format(r.body);
	assert_non_null(strstr(r.body, "# TYPE limes_http_requests_total counter"));
	assert_non_null(
	    metric_line(r.body, "limes_http_requests_total{route=\"/healthz\",status=\"200\"}"));
	assert_true(metric_value(r.body, "limes_http_requests_total{route=\"/healthz\",status="
	                                 "\"200\"}") >= 1);
	/* The failed /metrics call above is counted as a 401. */
	assert_true(metric_value(r.body, "limes_http_requests_total{route=\"/metrics\",status="
	                                 "\"401\"}") >= 1);
	assert_non_null(strstr(r.body, "# TYPE limes_http_request_duration_seconds histogram"));
	inf = metric_value(r.body, "limes_http_request_duration_seconds_bucket{route=\"/healthz\","
	                           "le=\"+Inf\"}");
	count =
	    metric_value(r.body, "limes_http_request_duration_seconds_count{route=\"/healthz\"}");
	assert_true(inf >= 1);
	assert_true(inf == count);
	assert_non_null(
	    metric_line(r.body, "limes_http_request_duration_seconds_sum{route=\"/healthz\"}"));
	assert_non_null(strstr(r.body, "# TYPE limes_db_errors_total counter"));
	assert_true(metric_value(r.body, "limes_db_errors_total ") >= 0);
	/* The demo border was loaded through the group-commit writer by this process. */
	assert_true(metric_value(r.body, "limes_db_commits_total ") > 0);
	assert_true(metric_value(r.body, "limes_db_writes_total ") >=
	            metric_value(r.body, "limes_db_commits_total "));
	assert_true(metric_value(r.body, "limes_db_write_queue ") >= 0);
	/* Routes, never raw paths: a label never carries a crossing-point code. */
	assert_null(strstr(r.body, "CNRUI"));
	lt_resp_release(&r);
}

static void test_every_error_is_problem_json(void **state)
{
	static const char *const json_text[] = {"Content-Type: text/plain", NULL};
	static const char *const if_match_stale[] = {"If-Match: \"v999999\"", NULL};
	struct {
		const char *method, *path, *body;
		const char *const *headers;
		int auth;
		long status;
	} cases[] = {
	    {"GET", "/api/v1/none", NULL, NULL, 1, 404},
	    {"PUT", "/healthz", NULL, NULL, 0, 405},
	    {"GET", "/api/v1/me", NULL, NULL, 0, 401},
	    {"POST", "/api/v1/crossing-points", "{\"code\": ", NULL, 1, 400},
	    {"POST", "/api/v1/crossing-points", "{}", json_text, 1, 415},
	    {"POST", "/api/v1/crossing-points", "{\"code\": 5}", NULL, 1, 422},
	    {"GET", "/api/v1/audit", NULL, NULL, 1, 403},
	    {"GET", "/api/v1/crossing-points/CNZZZ", NULL, NULL, 1, 404},
	    {"PATCH", "/api/v1/crossing-points/CNRUI", "{}", NULL, 1, 428},
	    {"PATCH", "/api/v1/crossing-points/CNRUI", "{}", if_match_stale, 1, 412},
	    {"POST", "/api/v1/sessions", "{\"username\":\"nobody\",\"password\":\"x\"}", NULL, 0,
	     401},
	    {"GET", "/static/../secret.txt", NULL, NULL, 0, 404},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct lt_resp r;
		assert_int_equal(lt_request(&srv, cases[i].method, cases[i].path,
		                            cases[i].auth ? admin_tok : NULL, cases[i].body,
		                            cases[i].headers, &r),
		                 0);
		if (!lt_is_problem(&r, cases[i].status))
			fprintf(stderr, "case %zu: %s %s\n", i, cases[i].method, cases[i].path);
		assert_true(lt_is_problem(&r, cases[i].status));
		lt_resp_release(&r);
	}
}

static int is_uuid(const char *s)
{
	if (strlen(s) != 36)
		return 0;
	for (int i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!isxdigit((unsigned char)s[i])) {
			return 0;
		}
	}
	return 1;
}

static void test_request_id_on_every_response(void **state)
{
	struct {
		const char *method, *path, *body;
		int auth;
	} cases[] = {
	    {"GET", "/healthz", NULL, 0},
	    {"GET", "/metrics", NULL, 1},
	    {"GET", "/api/v1/openapi.json", NULL, 0},
	    {"GET", "/", NULL, 0},
	    {"GET", "/static/hello.txt", NULL, 0},
	    {"GET", "/api/v1/crossing-points/CNRUI", NULL, 1},
	    {"GET", "/api/v1/crossing-points?format=geojson", NULL, 1},
	    {"HEAD", "/healthz", NULL, 0},
	    {"GET", "/api/v1/me", NULL, 0},
	    {"GET", "/nope", NULL, 0},
	    {"DELETE", "/healthz", NULL, 0},
	    {"POST", "/api/v1/crossing-points", "[", 1},
	};
	char seen[sizeof(cases) / sizeof(cases[0])][64];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct lt_resp r;
		assert_int_equal(lt_request(&srv, cases[i].method, cases[i].path,
		                            cases[i].auth ? admin_tok : NULL, cases[i].body, NULL,
		                            &r),
		                 0);
		assert_int_equal(lt_resp_header(&r, "X-Request-Id", seen[i], sizeof(seen[i])), 0);
		if (!is_uuid(seen[i]))
			fprintf(stderr, "%s %s: X-Request-Id '%s'\n", cases[i].method,
			        cases[i].path, seen[i]);
		assert_true(is_uuid(seen[i]));
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(seen[i], seen[j]);
		lt_resp_release(&r);
	}
}

static void test_static_files_are_served(void **state)
{
	struct lt_resp r;

	(void)state;
	/* The positive control for the traversal tests: the web root itself works. */
	assert_int_equal(lt_request(&srv, "GET", "/", NULL, NULL, NULL, &r), 0);
	LT_ASSERT_STATUS(&r, 200);
	assert_true(strncmp(r.content_type, "text/html", 9) == 0);
	assert_non_null(strstr(r.body, "limes test console"));
	lt_resp_release(&r);
	assert_int_equal(lt_request(&srv, "GET", "/static/hello.txt", NULL, NULL, NULL, &r), 0);
	LT_ASSERT_STATUS(&r, 200);
	assert_string_equal(r.body, "hello from the web root\n");
	lt_resp_release(&r);
	assert_int_equal(lt_request(&srv, "GET", "/static/missing.js", NULL, NULL, NULL, &r), 0);
	assert_true(lt_is_problem(&r, 404));
	lt_resp_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cli_lists_the_routes),
	    cmocka_unit_test(test_openapi_describes_every_route),
	    cmocka_unit_test(test_unknown_path_is_404),
	    cmocka_unit_test(test_wrong_method_is_405_with_allow),
	    cmocka_unit_test(test_healthz_without_token),
	    cmocka_unit_test(test_metrics_needs_token_then_prometheus),
	    cmocka_unit_test(test_every_error_is_problem_json),
	    cmocka_unit_test(test_request_id_on_every_response),
	    cmocka_unit_test(test_static_files_are_served),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
