/*
 * test_audit.c - the audit trail (every write, every read of personal data,
 * who, what, when, from where, why) and the access log on stderr (request
 * id, route, status, duration; never names, passwords or tokens).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

enum { ADM, SUP, OFF, AUD, NACTORS };

static const struct {
	const char *user, *password, *role, *display_name;
} actors[NACTORS] = {
    {"admin", LT_ADMIN_PASSWORD, "admin", "Administrator"},
    {"supervisor.ruili", LT_DEMO_PASSWORD, "supervisor", "Demo Post Commander Zhang (Ruili)"},
    {"officer.ruili", LT_DEMO_PASSWORD, "officer", "Demo Officer Li (Ruili immigration)"},
    {"auditor.ministry", LT_DEMO_PASSWORD, "auditor", "Demo Auditor Gao (ministry)"},
};

static struct lt_server srv;
static char *tok[NACTORS];
static char uid[NACTORS][64];
/* Every token this file ever held, to prove none reaches the log. */
static char tokens_seen[32][72];
static size_t ntokens;

static void remember_token(const char *t)
{
	if (t && ntokens < sizeof(tokens_seen) / sizeof(tokens_seen[0]))
		snprintf(tokens_seen[ntokens++], sizeof(tokens_seen[0]), "%s", t);
}

static int group_setup(void **state)
{
	(void)state;
	if (lt_server_start(&srv, LT_DEMO, NULL))
		return -1;
	for (int i = 0; i < NACTORS; i++) {
		struct lt_resp r;
		tok[i] = lt_login(&srv, actors[i].user, actors[i].password);
		if (!tok[i])
			return -1;
		remember_token(tok[i]);
		if (lt_request(&srv, "GET", "/api/v1/me", tok[i], NULL, NULL, &r) ||
		    r.status != 200)
			return -1;
		snprintf(uid[i], sizeof(uid[i]), "%s", lt_json_str(r.json, "id"));
		lt_resp_release(&r);
	}
	return 0;
}

static int group_teardown(void **state)
{
	int rc;

	(void)state;
	for (int i = 0; i < NACTORS; i++)
		free(tok[i]);
	rc = lt_server_stop(&srv);
	lt_server_cleanup(&srv);
	return rc == 0 ? 0 : -1;
}

/* ---- helpers ------------------------------------------------------------------ */

struct done {
	long status;
	char request_id[64];
	char id[64];
	char code[64];
};

/* One request that must answer `want`; its request id and the object's id and code. */
static void act(int who, const char *method, const char *path, const char *body,
                const char *const *headers, long want, struct done *d)
{
	struct lt_resp r;

	assert_int_equal(lt_request(&srv, method, path, tok[who], body, headers, &r), 0);
	LT_ASSERT_STATUS(&r, want);
	d->status = r.status;
	assert_int_equal(lt_resp_header(&r, "X-Request-Id", d->request_id, sizeof(d->request_id)),
	                 0);
	snprintf(d->id, sizeof(d->id), "%s", lt_json_str(r.json, "id"));
	snprintf(d->code, sizeof(d->code), "%s", lt_json_str(r.json, "code"));
	lt_resp_release(&r);
}

/*
 * All audit events matching `query` (e.g. "object_type=user&object_id=..."),
 * paged through as the auditor. New reference: a JSON array.
 */
static json_t *audit_events(const char *query)
{
	json_t *all = json_array();
	char after[128] = "";

	for (int page = 0; page < 200; page++) {
		char path[600];
		struct lt_resp r;
		json_t *next;
		snprintf(path, sizeof(path), "/api/v1/audit?limit=100%s%s%s%s",
		         query && query[0] ? "&" : "", query ? query : "",
		         after[0] ? "&after=" : "", after);
		assert_int_equal(lt_request(&srv, "GET", path, tok[AUD], NULL, NULL, &r), 0);
		LT_ASSERT_STATUS(&r, 200);
		json_array_extend(all, json_object_get(r.json, "items"));
		next = json_object_get(r.json, "next");
		if (!json_is_string(next)) {
			lt_resp_release(&r);
			return all;
		}
		snprintf(after, sizeof(after), "%s", json_string_value(next));
		lt_resp_release(&r);
	}
	fail_msg("audit paging did not end");
	return all;
}

/* The one event of `action` on this object; borrowed from *events (caller releases). */
static json_t *find_event(json_t **events, const char *action, const char *object_type,
                          const char *object_id)
{
	char q[300];
	json_t *ev, *found = NULL;
	size_t i;
	int n = 0;

	snprintf(q, sizeof(q), "object_type=%s&object_id=%s", object_type, object_id);
	*events = audit_events(q);
	json_array_foreach(*events, i, ev)
	{
		if (!strcmp(lt_json_str(ev, "action"), action)) {
			found = ev;
			n++;
		}
	}
	if (n != 1)
		fprintf(stderr, "%d audit events %s on %s %s\n", n, action, object_type, object_id);
	assert_int_equal(n, 1);
	return found;
}

static void check_event(const char *action, const char *object_type, const char *object_id, int who,
                        const struct done *d)
{
	json_t *events, *ev = find_event(&events, action, object_type, object_id);
	long outcome = (long)json_integer_value(json_object_get(ev, "outcome"));

	assert_string_equal(lt_json_str(ev, "user_id"), uid[who]);
	assert_string_equal(lt_json_str(ev, "username"), actors[who].user);
	assert_string_equal(lt_json_str(ev, "role"), actors[who].role);
	assert_true(lt_json_str(ev, "agency_id")[0] != '\0');
	assert_string_equal(lt_json_str(ev, "object_type"), object_type);
	assert_string_equal(lt_json_str(ev, "object_id"), object_id);
	assert_string_equal(lt_json_str(ev, "ip"), "127.0.0.1");
	if (strcmp(lt_json_str(ev, "request_id"), d->request_id))
		fprintf(stderr, "%s: audit request_id '%s', response X-Request-Id '%s'\n", action,
		        lt_json_str(ev, "request_id"), d->request_id);
	assert_string_equal(lt_json_str(ev, "request_id"), d->request_id);
	assert_true(outcome >= 200 && outcome < 300);
	assert_true(lt_json_str(ev, "at")[0] != '\0');
	json_decref(events);
}

/* ---- tests --------------------------------------------------------------------- */

static struct done point_create, point_update;

static void test_every_write_is_audited(void **state)
{
	static const char *const purpose[] = {"X-Purpose: audit test", NULL};
	struct done d;
	char etag[64], hdr[96], path[128];
	const char *h[] = {hdr, purpose[0], NULL};
	struct lt_resp r;
	long patch_status = 0;

	(void)state;
	act(ADM, "POST", "/api/v1/crossing-points",
	    "{\"code\":\"CNAUA\",\"name\":\"Audited\",\"country\":\"CN\",\"country_other\":\"MM\","
	    "\"kind\":\"local\",\"modes\":[\"cargo\"],\"position\":{\"lon\":98.3,\"lat\":24.3},"
	    "\"time_zone\":\"Asia/Shanghai\"}",
	    NULL, 201, &point_create);
	check_event("crossing_point.create", "crossing_point", "CNAUA", ADM, &point_create);

	assert_int_equal(
	    lt_request(&srv, "GET", "/api/v1/crossing-points/CNAUA", tok[ADM], NULL, NULL, &r), 0);
	lt_resp_etag(&r, etag, sizeof(etag));
	lt_resp_release(&r);
	snprintf(hdr, sizeof(hdr), "If-Match: \"%s\"", etag);
	act(ADM, "PATCH", "/api/v1/crossing-points/CNAUA", "{\"lanes\":2}", h, 200, &point_update);
	check_event("crossing_point.update", "crossing_point", "CNAUA", ADM, &point_update);

	act(ADM, "POST", "/api/v1/agencies",
	    "{\"code\":\"AUD-AG\",\"name\":\"Audited "
	    "agency\",\"kind\":\"other\",\"country\":\"CN\"}",
	    NULL, 201, &d);
	check_event("agency.create", "agency", d.id, ADM, &d);

	act(ADM, "POST", "/api/v1/segments",
	    "{\"code\":\"AUD-SEG\",\"name\":\"Audited segment\",\"countries\":[\"CN\",\"MM\"],"
	    "\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[98,24],[98.1,24.1]]}}",
	    NULL, 201, &d);
	check_event("segment.create", "segment", "AUD-SEG", ADM, &d);

	act(ADM, "POST", "/api/v1/markers",
	    "{\"pillar\":\"AUD-1\",\"position\":{\"lon\":98,\"lat\":24},\"condition\":\"intact\"}",
	    NULL, 201, &d);
	check_event("marker.create", "marker", "AUD-1", ADM, &d);
	assert_int_equal(lt_request(&srv, "GET", "/api/v1/markers/AUD-1", tok[ADM], NULL, NULL, &r),
	                 0);
	lt_resp_etag(&r, etag, sizeof(etag));
	lt_resp_release(&r);
	snprintf(hdr, sizeof(hdr), "If-Match: \"%s\"", etag);
	act(ADM, "PATCH", "/api/v1/markers/AUD-1", "{\"condition\":\"damaged\"}", h, 200, &d);
	check_event("marker.update", "marker", "AUD-1", ADM, &d);

	act(SUP, "POST", "/api/v1/crossing-points/CNRUI/status",
	    "{\"state\":\"restricted\",\"reason\":\"audited change\","
	    "\"from\":\"2030-01-01T00:00:00Z\",\"until\":\"2030-01-05T00:00:00Z\"}",
	    NULL, 201, &d);
	check_event("status.create", "status_change", d.id, SUP, &d);

	act(OFF, "POST", "/api/v1/markers/D-030/inspections",
	    "{\"inspected_at\":\"2025-02-02T02:02:00Z\",\"condition\":\"intact\"}", NULL, 201, &d);
	check_event("inspection.create", "inspection", d.id, OFF, &d);

	act(ADM, "POST", "/api/v1/users",
	    "{\"username\":\"aud.user\",\"display_name\":\"Audited Person\",\"agency\":\"AUD-AG\","
	    "\"role\":\"analyst\",\"password\":\"audited-user-pw-1\"}",
	    NULL, 201, &d);
	check_event("user.create", "user", d.id, ADM, &d);
	{
		char user_id[64];
		snprintf(user_id, sizeof(user_id), "%s", d.id);
		snprintf(path, sizeof(path), "/api/v1/users/%s", user_id);
		assert_int_equal(lt_request(&srv, "GET", path, tok[ADM], NULL, purpose, &r), 0);
		lt_resp_etag(&r, etag, sizeof(etag));
		lt_resp_release(&r);
		snprintf(hdr, sizeof(hdr), "If-Match: \"%s\"", etag);
		/* See test_auth: this PATCH commits but answers 404; the audit is checked anyway.
		 */
		assert_int_equal(
		    lt_request(&srv, "PATCH", path, tok[ADM], "{\"role\":\"officer\"}", h, &r), 0);
		patch_status = r.status;
		lt_resp_header(&r, "X-Request-Id", d.request_id, sizeof(d.request_id));
		lt_resp_release(&r);
		check_event("user.update", "user", user_id, ADM, &d);
		snprintf(path, sizeof(path), "/api/v1/users/%s/password", user_id);
		act(ADM, "POST", path, "{\"password\":\"audited-user-pw-2\"}", NULL, 204, &d);
		check_event("user.set_password", "user", user_id, ADM, &d);
	}
	/* Regression guard (src/http/h_people.c h_user_patch): 404 for a committed update. */
	assert_int_equal(patch_status, 200);
}

static void test_sessions_are_audited(void **state)
{
	json_t *body =
	    json_pack("{s:s, s:s}", "username", "officer.ruili", "password", LT_DEMO_PASSWORD);
	struct lt_resp r;
	struct done login, logout;
	json_t *events, *ev;
	size_t i;
	char *t, q[160];
	int found_login = 0, found_logout = 0;

	(void)state;
	assert_int_equal(lt_request_json(&srv, "POST", "/api/v1/sessions", NULL, body, NULL, &r),
	                 0);
	json_decref(body);
	LT_ASSERT_STATUS(&r, 201);
	t = strdup(lt_json_str(r.json, "token"));
	remember_token(t);
	lt_resp_header(&r, "X-Request-Id", login.request_id, sizeof(login.request_id));
	lt_resp_release(&r);
	assert_int_equal(lt_request(&srv, "DELETE", "/api/v1/sessions/current", t, NULL, NULL, &r),
	                 0);
	LT_ASSERT_STATUS(&r, 204);
	lt_resp_header(&r, "X-Request-Id", logout.request_id, sizeof(logout.request_id));
	lt_resp_release(&r);
	free(t);

	snprintf(q, sizeof(q), "user_id=%s&object_type=session", uid[OFF]);
	events = audit_events(q);
	json_array_foreach(events, i, ev)
	{
		const char *rid = lt_json_str(ev, "request_id");
		assert_string_equal(lt_json_str(ev, "user_id"), uid[OFF]);
		assert_string_equal(lt_json_str(ev, "ip"), "127.0.0.1");
		if (!strcmp(lt_json_str(ev, "action"), "session.create") &&
		    !strcmp(rid, login.request_id))
			found_login++;
		if (!strcmp(lt_json_str(ev, "action"), "session.revoke") &&
		    !strcmp(rid, logout.request_id))
			found_logout++;
	}
	json_decref(events);
	assert_int_equal(found_logout, 1);
	/* Regression guard (src/app/auth.c lm_app_login): the login's audit event has no request
	 * id. */
	assert_int_equal(found_login, 1);
}

static void test_personal_data_read_is_audited_with_purpose(void **state)
{
	static const char *const purpose[] = {"X-Purpose: case 42", NULL};
	static const char *const purpose_list[] = {"X-Purpose: case 43 staff review", NULL};
	struct done d;
	json_t *events, *ev;
	char target[64], q[200];
	size_t i;
	int n = 0;

	(void)state;
	act(AUD, "GET", "/api/v1/users/officer.wanding", NULL, purpose, 200, &d);
	snprintf(target, sizeof(target), "%s", d.id);
	assert_true(target[0] != '\0');
	ev = find_event(&events, "user.read", "user", target);
	assert_string_equal(lt_json_str(ev, "purpose"), "case 42");
	assert_string_equal(lt_json_str(ev, "user_id"), uid[AUD]);
	assert_string_equal(lt_json_str(ev, "role"), "auditor");
	assert_string_equal(lt_json_str(ev, "request_id"), d.request_id);
	json_decref(events);

	/* A refused read (no purpose) reads nothing, and is not logged as a read. */
	{
		struct lt_resp r;
		assert_int_equal(lt_request(&srv, "GET", "/api/v1/users/officer.wanding", tok[AUD],
		                            NULL, NULL, &r),
		                 0);
		assert_true(lt_is_problem(&r, 422));
		assert_null(strstr(r.body, "Zhao"));
		lt_resp_release(&r);
		ev = find_event(&events, "user.read", "user", target);
		json_decref(events);
	}

	/* Listing accounts is a read too. */
	act(ADM, "GET", "/api/v1/users?limit=5", NULL, purpose_list, 200, &d);
	snprintf(q, sizeof(q), "user_id=%s", uid[ADM]);
	events = audit_events(q);
	json_array_foreach(events, i, ev) if (!strcmp(lt_json_str(ev, "action"), "user.list") &&
	                                      !strcmp(lt_json_str(ev, "request_id"), d.request_id))
	{
		assert_string_equal(lt_json_str(ev, "purpose"), "case 43 staff review");
		n++;
	}
	json_decref(events);
	assert_int_equal(n, 1);
}

static void test_audit_filters(void **state)
{
	json_t *events, *ev;
	char q[400], at_update[64];
	size_t i;
	struct lt_resp r;

	(void)state;
	/* By object: exactly the create and the update of CNAUA, oldest first. */
	events = audit_events("object_type=crossing_point&object_id=CNAUA");
	assert_int_equal(json_array_size(events), 2);
	assert_string_equal(lt_json_str(events, "0/action"), "crossing_point.create");
	assert_string_equal(lt_json_str(events, "1/action"), "crossing_point.update");
	snprintf(at_update, sizeof(at_update), "%s", lt_json_str(events, "1/at"));
	json_decref(events);

	/* By time: [from, until). */
	snprintf(q, sizeof(q), "object_type=crossing_point&object_id=CNAUA&from=%s", at_update);
	events = audit_events(q);
	assert_int_equal(json_array_size(events), 1);
	assert_string_equal(lt_json_str(events, "0/action"), "crossing_point.update");
	json_decref(events);
	snprintf(q, sizeof(q), "object_type=crossing_point&object_id=CNAUA&until=%s", at_update);
	events = audit_events(q);
	assert_int_equal(json_array_size(events), 1);
	assert_string_equal(lt_json_str(events, "0/action"), "crossing_point.create");
	json_decref(events);
	events = audit_events("from=2100-01-01T00:00:00Z");
	assert_int_equal(json_array_size(events), 0);
	json_decref(events);

	/* By user: only theirs, including the status change. */
	snprintf(q, sizeof(q), "user_id=%s", uid[SUP]);
	events = audit_events(q);
	{
		int status_changes = 0;
		json_array_foreach(events, i, ev)
		{
			assert_string_equal(lt_json_str(ev, "user_id"), uid[SUP]);
			status_changes += !strcmp(lt_json_str(ev, "action"), "status.create");
		}
		assert_int_equal(status_changes, 1);
	}
	json_decref(events);

	/* By object type alone. */
	events = audit_events("object_type=marker");
	assert_true(json_array_size(events) >= 2);
	json_array_foreach(events, i, ev)
	    assert_string_equal(lt_json_str(ev, "object_type"), "marker");
	json_decref(events);

	/* A user with no events has none; a bad time is a 422. */
	events = audit_events("user_id=00000000-0000-7000-8000-000000000000");
	assert_int_equal(json_array_size(events), 0);
	json_decref(events);
	assert_int_equal(
	    lt_request(&srv, "GET", "/api/v1/audit?from=yesterday", tok[AUD], NULL, NULL, &r), 0);
	assert_true(lt_is_problem(&r, 422));
	assert_string_equal(lt_json_str(r.json, "errors/0/field"), "from");
	lt_resp_release(&r);

	/* Keyset pages of two. */
	assert_int_equal(lt_request(&srv, "GET", "/api/v1/audit?limit=2", tok[AUD], NULL, NULL, &r),
	                 0);
	LT_ASSERT_STATUS(&r, 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 2);
	assert_true(json_is_string(json_object_get(r.json, "next")));
	assert_true(strcmp(lt_json_str(r.json, "items/0/id"), lt_json_str(r.json, "items/1/id")) <
	            0);
	lt_resp_release(&r);
}

/* The audit log names people: the auditor's own reading of it is on record too. */
static void test_reading_the_audit_log_is_audited(void **state)
{
	json_t *events, *ev;
	size_t i, mine = 0;

	(void)state;
	json_decref(audit_events("object_type=user"));
	events = audit_events("object_type=audit");
	json_array_foreach(events, i, ev)
	{
		assert_string_equal(lt_json_str(ev, "action"), "audit.list");
		mine += !strcmp(lt_json_str(ev, "user_id"), uid[AUD]);
	}
	assert_true(mine >= 1);
	json_decref(events);
}

static void test_audit_cannot_be_changed(void **state)
{
	static const char *const methods[] = {"PATCH", "DELETE", "PUT", "POST"};
	json_t *before = audit_events("object_type=crossing_point&object_id=CNAUA"), *after;
	char path[128];

	(void)state;
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		for (int who = 0; who < NACTORS; who++) {
			struct lt_resp r;
			char allow[64];
			assert_int_equal(lt_request(&srv, methods[i], "/api/v1/audit", tok[who],
			                            strcmp(methods[i], "DELETE") ? "{}" : NULL,
			                            NULL, &r),
			                 0);
			assert_true(lt_is_problem(&r, 405));
			assert_int_equal(lt_resp_header(&r, "Allow", allow, sizeof(allow)), 0);
			/* Only reading methods are allowed. */
			assert_non_null(strstr(allow, "GET"));
			for (size_t m = 0; m < sizeof(methods) / sizeof(methods[0]); m++)
				assert_null(strstr(allow, methods[m]));
			lt_resp_release(&r);
		}
	}
	/* There is no per-event resource to change either. */
	snprintf(path, sizeof(path), "/api/v1/audit/%s", lt_json_str(before, "0/id"));
	{
		struct lt_resp r;
		assert_int_equal(lt_request(&srv, "DELETE", path, tok[AUD], NULL, NULL, &r), 0);
		assert_true(lt_is_problem(&r, 404));
		lt_resp_release(&r);
		assert_int_equal(
		    lt_request(&srv, "PATCH", path, tok[ADM], "{\"outcome\":200}", NULL, &r), 0);
		assert_true(lt_is_problem(&r, 404));
		lt_resp_release(&r);
	}
	after = audit_events("object_type=crossing_point&object_id=CNAUA");
	assert_true(json_equal(before, after));
	json_decref(before);
	json_decref(after);
}

static void test_access_log_has_ids_and_no_secrets(void **state)
{
	char *log, *line, *save = NULL;
	size_t requests = 0;
	int found_create = 0;

	(void)state;
	log = lt_read_file(srv.log);
	assert_non_null(log);
	/* Never a password, a token, a display name, or a raw path naming a person. */
	assert_null(strstr(log, LT_ADMIN_PASSWORD));
	assert_null(strstr(log, LT_DEMO_PASSWORD));
	assert_null(strstr(log, "audited-user-pw"));
	for (size_t i = 0; i < ntokens; i++)
		assert_null(strstr(log, tokens_seen[i]));
	for (int i = 0; i < NACTORS; i++)
		assert_null(strstr(log, actors[i].display_name));
	assert_null(strstr(log, "Audited Person"));
	assert_null(strstr(log, "Zhao"));
	assert_null(strstr(log, "officer.wanding"));
	assert_null(strstr(log, "case 42"));

	for (line = strtok_r(log, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		json_error_t e;
		json_t *j = json_loads(line, 0, &e);
		/* Every line is one JSON object. */
		if (!j)
			fprintf(stderr, "not JSON: %s\n", line);
		assert_non_null(j);
		if (!strcmp(lt_json_str(j, "msg"), "request")) {
			requests++;
			assert_int_equal(strlen(lt_json_str(j, "request_id")), 36);
			assert_true(lt_json_str(j, "route")[0] != '\0');
			assert_true(lt_json_str(j, "method")[0] != '\0');
			assert_true(json_is_integer(json_object_get(j, "status")));
			assert_true(json_is_number(json_object_get(j, "duration_ms")));
			assert_true(json_number_value(json_object_get(j, "duration_ms")) >= 0);
			if (!strcmp(lt_json_str(j, "request_id"), point_create.request_id)) {
				assert_string_equal(lt_json_str(j, "route"),
				                    "/api/v1/crossing-points");
				assert_string_equal(lt_json_str(j, "method"), "POST");
				assert_int_equal(json_integer_value(json_object_get(j, "status")),
				                 201);
				found_create++;
			}
			/* Route patterns only, never the raw path. */
			assert_null(strstr(lt_json_str(j, "route"), "CNAUA"));
		}
		json_decref(j);
	}
	free(log);
	assert_true(requests >= 40);
	assert_int_equal(found_create, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_write_is_audited),
	    cmocka_unit_test(test_sessions_are_audited),
	    cmocka_unit_test(test_personal_data_read_is_audited_with_purpose),
	    cmocka_unit_test(test_audit_filters),
	    cmocka_unit_test(test_reading_the_audit_log_is_audited),
	    cmocka_unit_test(test_audit_cannot_be_changed),
	    cmocka_unit_test(test_access_log_has_ids_and_no_secrets),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
