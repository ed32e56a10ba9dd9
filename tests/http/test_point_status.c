/*
 * test_point_status.c - "is this crossing point open for this traffic at this
 * instant?" across time zones, scoped and open-ended status changes, and the
 * Ruili closure history of the demo.
 *
 * Two test points share the opening hours 08:00-18:00 every day, one in
 * Asia/Shanghai (UTC+8) and one in Asia/Yangon (UTC+6:30): the same UTC
 * instant falls inside one's hours and outside the other's.
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

static struct lt_server srv;
static char *admin_tok, *officer_tok;

#define EVERY_DAY_8_18                                                                             \
	"\"opening_hours\":{\"mon\":[\"08:00-18:00\"],\"tue\":[\"08:00-18:00\"],"                  \
	"\"wed\":[\"08:00-18:00\"],\"thu\":[\"08:00-18:00\"],\"fri\":[\"08:00-18:00\"],"           \
	"\"sat\":[\"08:00-18:00\"],\"sun\":[\"08:00-18:00\"]}"

static int create(const char *body)
{
	struct lt_resp r;
	int ok;

	if (lt_request(&srv, "POST", "/api/v1/crossing-points", admin_tok, body, NULL, &r))
		return -1;
	ok = r.status == 201;
	if (!ok)
		fprintf(stderr, "creating a test point: %ld %s\n", r.status, r.body);
	lt_resp_release(&r);
	return ok ? 0 : -1;
}

static int group_setup(void **state)
{
	(void)state;
	if (lt_server_start(&srv, LT_DEMO, NULL))
		return -1;
	admin_tok = lt_login(&srv, "admin", LT_ADMIN_PASSWORD);
	officer_tok = lt_login(&srv, "officer.ruili", LT_DEMO_PASSWORD);
	if (!admin_tok || !officer_tok)
		return -1;
	if (create("{\"code\":\"CNTZA\",\"name\":\"Shanghai-time test post\",\"country\":\"CN\","
	           "\"country_other\":\"MM\",\"kind\":\"local\","
	           "\"modes\":[\"pedestrian\",\"vehicle\",\"cargo\"],"
	           "\"position\":{\"lon\":98.0,\"lat\":24.0},\"time_zone\":\"Asia/"
	           "Shanghai\"," EVERY_DAY_8_18 "}") ||
	    create("{\"code\":\"MMTZA\",\"name\":\"Yangon-time test post\",\"country\":\"MM\","
	           "\"country_other\":\"CN\",\"kind\":\"local\","
	           "\"modes\":[\"pedestrian\",\"vehicle\",\"cargo\"],"
	           "\"position\":{\"lon\":97.99,\"lat\":24.0},\"time_zone\":\"Asia/"
	           "Yangon\"," EVERY_DAY_8_18 "}") ||
	    create("{\"code\":\"DEDST\",\"name\":\"DST control post\",\"country\":\"DE\","
	           "\"country_other\":\"PL\",\"kind\":\"local\",\"modes\":[\"pedestrian\"],"
	           "\"position\":{\"lon\":14.99,\"lat\":51.15},\"time_zone\":\"Europe/"
	           "Berlin\"," EVERY_DAY_8_18 "}"))
		return -1;
	return 0;
}

static int group_teardown(void **state)
{
	int rc;

	(void)state;
	free(admin_tok);
	free(officer_tok);
	rc = lt_server_stop(&srv);
	lt_server_cleanup(&srv);
	return rc == 0 ? 0 : -1;
}

/* GET .../status?at=AT[&extra]; the answer must be a 200. */
static void status_at(const char *code, const char *at, const char *extra, struct lt_resp *r)
{
	char path[256];

	snprintf(path, sizeof(path), "/api/v1/crossing-points/%s/status?at=%s%s%s", code, at,
	         extra ? "&" : "", extra ? extra : "");
	assert_int_equal(lt_request(&srv, "GET", path, officer_tok, NULL, NULL, r), 0);
	LT_ASSERT_STATUS(r, 200);
}

static int is_open(const char *code, const char *at, const char *extra)
{
	struct lt_resp r;
	int open;

	status_at(code, at, extra, &r);
	assert_true(json_is_boolean(json_object_get(r.json, "open")));
	open = json_is_true(json_object_get(r.json, "open"));
	lt_resp_release(&r);
	return open;
}

static void test_same_instant_across_time_zones(void **state)
{
	static const struct {
		const char *at;
		int shanghai_open, yangon_open;
		const char *shanghai_local, *yangon_local;
	} cases[] = {
	    /* 08:00 in Shanghai (open), 06:30 in Yangon (closed). */
	    {"2026-03-02T00:00:00Z", 1, 0, "2026-03-02T08:00+08:00", "2026-03-02T06:30+06:30"},
	    {"2026-03-01T23:59:00Z", 0, 0, "2026-03-02T07:59+08:00", "2026-03-02T06:29+06:30"},
	    {"2026-03-02T01:29:00Z", 1, 0, "2026-03-02T09:29+08:00", "2026-03-02T07:59+06:30"},
	    {"2026-03-02T01:30:00Z", 1, 1, "2026-03-02T09:30+08:00", "2026-03-02T08:00+06:30"},
	    {"2026-03-02T09:59:00Z", 1, 1, "2026-03-02T17:59+08:00", "2026-03-02T16:29+06:30"},
	    /* 18:00 in Shanghai (closed: the span ends there), 16:30 in Yangon (open). */
	    {"2026-03-02T10:00:00Z", 0, 1, "2026-03-02T18:00+08:00", "2026-03-02T16:30+06:30"},
	    {"2026-03-02T11:29:00Z", 0, 1, "2026-03-02T19:29+08:00", "2026-03-02T17:59+06:30"},
	    {"2026-03-02T11:30:00Z", 0, 0, "2026-03-02T19:30+08:00", "2026-03-02T18:00+06:30"},
	    /* The local date is not the UTC date. */
	    {"2026-03-01T16:00:00Z", 0, 0, "2026-03-02T00:00+08:00", "2026-03-01T22:30+06:30"},
	    {"2026-03-01T17:29:00Z", 0, 0, "2026-03-02T01:29+08:00", "2026-03-01T23:59+06:30"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct lt_resp a, b;
		status_at("CNTZA", cases[i].at, NULL, &a);
		status_at("MMTZA", cases[i].at, NULL, &b);
		if (json_is_true(json_object_get(a.json, "open")) != cases[i].shanghai_open ||
		    json_is_true(json_object_get(b.json, "open")) != cases[i].yangon_open)
			fprintf(stderr, "at %s:\n  %s\n  %s\n", cases[i].at, a.body, b.body);
		assert_int_equal(json_is_true(json_object_get(a.json, "open")),
		                 cases[i].shanghai_open);
		assert_int_equal(json_is_true(json_object_get(a.json, "within_opening_hours")),
		                 cases[i].shanghai_open);
		assert_string_equal(lt_json_str(a.json, "local_time"), cases[i].shanghai_local);
		assert_string_equal(lt_json_str(a.json, "time_zone"), "Asia/Shanghai");
		assert_string_equal(lt_json_str(a.json, "at"), cases[i].at);
		assert_int_equal(json_is_true(json_object_get(b.json, "open")),
		                 cases[i].yangon_open);
		assert_string_equal(lt_json_str(b.json, "local_time"), cases[i].yangon_local);
		assert_string_equal(lt_json_str(b.json, "time_zone"), "Asia/Yangon");
		/* No status change at these posts: hours alone decide. */
		assert_string_equal(lt_json_str(a.json, "state"), "open");
		assert_true(json_is_null(json_object_get(a.json, "decided_by")));
		lt_resp_release(&a);
		lt_resp_release(&b);
	}
}

static void test_next_change_is_the_next_hours_boundary(void **state)
{
	struct lt_resp r;

	(void)state;
	status_at("CNTZA", "2026-03-02T00:00:00Z", NULL, &r);
	assert_string_equal(lt_json_str(r.json, "next_change"), "2026-03-02T10:00:00Z");
	lt_resp_release(&r);
	status_at("MMTZA", "2026-03-02T00:00:00Z", NULL, &r);
	assert_string_equal(lt_json_str(r.json, "next_change"), "2026-03-02T01:30:00Z");
	lt_resp_release(&r);
}

static void test_dst_free_zones_do_not_jump(void **state)
{
	(void)state;
	/* 00:00Z on the 1st of every month: always 08:00 in Shanghai and 06:30 in Yangon. */
	for (int month = 1; month <= 12; month++) {
		char at[32], want_sh[40], want_ygn[40];
		struct lt_resp a, b;
		snprintf(at, sizeof(at), "2026-%02d-01T00:00:00Z", month);
		snprintf(want_sh, sizeof(want_sh), "2026-%02d-01T08:00+08:00", month);
		snprintf(want_ygn, sizeof(want_ygn), "2026-%02d-01T06:30+06:30", month);
		status_at("CNTZA", at, NULL, &a);
		status_at("MMTZA", at, NULL, &b);
		assert_string_equal(lt_json_str(a.json, "local_time"), want_sh);
		assert_string_equal(lt_json_str(b.json, "local_time"), want_ygn);
		assert_true(json_is_true(json_object_get(a.json, "open")));
		assert_false(json_is_true(json_object_get(b.json, "open")));
		lt_resp_release(&a);
		lt_resp_release(&b);
	}
	/* The control: a zone with daylight saving does move (so the check above can fail). */
	{
		struct lt_resp w, s;
		status_at("DEDST", "2026-01-15T06:30:00Z", NULL, &w);
		status_at("DEDST", "2026-07-15T06:30:00Z", NULL, &s);
		assert_string_equal(lt_json_str(w.json, "local_time"), "2026-01-15T07:30+01:00");
		assert_string_equal(lt_json_str(s.json, "local_time"), "2026-07-15T08:30+02:00");
		assert_false(json_is_true(json_object_get(w.json, "open")));
		assert_true(json_is_true(json_object_get(s.json, "open")));
		lt_resp_release(&w);
		lt_resp_release(&s);
	}
}

/* POST a status change as the administrator; its id into id (may be NULL). */
static void post_status(const char *code, const char *body, long want, char *id, size_t cap)
{
	char path[128];
	struct lt_resp r;

	snprintf(path, sizeof(path), "/api/v1/crossing-points/%s/status", code);
	assert_int_equal(lt_request(&srv, "POST", path, admin_tok, body, NULL, &r), 0);
	LT_ASSERT_STATUS(&r, want);
	if (id)
		snprintf(id, cap, "%s", lt_json_str(r.json, "id"));
	lt_resp_release(&r);
}

static void test_closure_scoped_to_cargo(void **state)
{
	char id[64];
	struct lt_resp r;

	(void)state;
	post_status(
	    "CNTZA",
	    "{\"state\":\"closed\",\"scope\":{\"modes\":[\"cargo\"]},\"reason\":\"weighbridge "
	    "broken\",\"from\":\"2026-04-01T00:00:00Z\",\"until\":\"2026-04-10T00:00:00Z\"}",
	    201, id, sizeof(id));
	assert_true(id[0] != '\0');
	/* 10:00 local on 2 April: cargo closed, people and cars not. */
	status_at("CNTZA", "2026-04-02T02:00:00Z", "mode=cargo", &r);
	assert_false(json_is_true(json_object_get(r.json, "open")));
	assert_string_equal(lt_json_str(r.json, "state"), "closed");
	assert_true(json_is_true(json_object_get(r.json, "within_opening_hours")));
	assert_string_equal(lt_json_str(r.json, "decided_by/id"), id);
	assert_string_equal(lt_json_str(r.json, "decided_by/reason"), "weighbridge broken");
	assert_string_equal(lt_json_str(r.json, "traffic/mode"), "cargo");
	lt_resp_release(&r);
	assert_true(is_open("CNTZA", "2026-04-02T02:00:00Z", "mode=pedestrian"));
	assert_true(is_open("CNTZA", "2026-04-02T02:00:00Z", "mode=vehicle"));
	assert_true(is_open("CNTZA", "2026-04-02T02:00:00Z", "mode=pedestrian&direction=entry"));
	/* [from, until): closed at from, open again at until. */
	assert_false(is_open("CNTZA", "2026-04-01T00:00:00Z", "mode=cargo"));
	assert_true(is_open("CNTZA", "2026-03-31T02:00:00Z", "mode=cargo"));
	assert_true(is_open("CNTZA", "2026-04-10T02:00:00Z", "mode=cargo"));
	/* Closed means closed at every hour, not only within the opening hours. */
	status_at("CNTZA", "2026-04-02T12:00:00Z", "mode=cargo", &r);
	assert_string_equal(lt_json_str(r.json, "state"), "closed");
	lt_resp_release(&r);
	/* The other post is not touched. */
	assert_true(is_open("MMTZA", "2026-04-02T02:00:00Z", "mode=cargo"));
}

static void test_closure_scoped_to_a_direction(void **state)
{
	(void)state;
	post_status("MMTZA",
	            "{\"state\":\"closed\",\"scope\":{\"directions\":[\"exit\"]},\"reason\":\"exit "
	            "ban\",\"from\":\"2026-05-01T00:00:00Z\",\"until\":\"2026-05-02T00:00:00Z\"}",
	            201, NULL, 0);
	/* 09:30 local on 1 May. */
	assert_false(is_open("MMTZA", "2026-05-01T03:00:00Z", "direction=exit"));
	assert_false(is_open("MMTZA", "2026-05-01T03:00:00Z", "direction=exit&mode=cargo"));
	assert_true(is_open("MMTZA", "2026-05-01T03:00:00Z", "direction=entry"));
	assert_true(is_open("MMTZA", "2026-05-01T03:00:00Z", "direction=entry&mode=pedestrian"));
}

static void test_open_ended_closure(void **state)
{
	struct lt_resp r;

	(void)state;
	post_status("CNTZA",
	            "{\"state\":\"closed\",\"reason\":\"fighting across the line\","
	            "\"from\":\"2027-01-01T00:00:00Z\",\"until\":null}",
	            201, NULL, 0);
	/* Still closed years later, for every kind of traffic. */
	status_at("CNTZA", "2035-06-01T02:00:00Z", "mode=pedestrian", &r);
	assert_false(json_is_true(json_object_get(r.json, "open")));
	assert_string_equal(lt_json_str(r.json, "state"), "closed");
	assert_true(json_is_null(lt_json_at(r.json, "decided_by/until")));
	lt_resp_release(&r);
	assert_false(is_open("CNTZA", "2030-01-01T02:00:00Z", "mode=cargo"));
	assert_false(is_open("CNTZA", "2030-01-01T02:00:00Z", "mode=vehicle&direction=exit"));
	assert_true(is_open("CNTZA", "2026-12-31T02:00:00Z", "mode=vehicle"));

	/* A later reopening decides from its own start: the most recent decision wins. */
	post_status("CNTZA",
	            "{\"state\":\"restricted\",\"scope\":{\"modes\":[\"cargo\"]},"
	            "\"reason\":\"goods first\",\"from\":\"2036-01-01T00:00:00Z\"}",
	            201, NULL, 0);
	status_at("CNTZA", "2036-02-01T02:00:00Z", "mode=cargo", &r);
	assert_true(json_is_true(json_object_get(r.json, "open")));
	assert_string_equal(lt_json_str(r.json, "state"), "restricted");
	lt_resp_release(&r);
	assert_false(is_open("CNTZA", "2036-02-01T02:00:00Z", "mode=pedestrian"));
}

static int history_count(const char *code)
{
	char path[128];
	struct lt_resp r;
	int n;

	snprintf(path, sizeof(path), "/api/v1/crossing-points/%s/status/history", code);
	assert_int_equal(lt_request(&srv, "GET", path, officer_tok, NULL, NULL, &r), 0);
	LT_ASSERT_STATUS(&r, 200);
	n = (int)json_array_size(json_object_get(r.json, "changes"));
	lt_resp_release(&r);
	return n;
}

static void test_until_not_after_from_is_422(void **state)
{
	static const char *const bodies[] = {
	    "{\"state\":\"closed\",\"reason\":\"r\",\"from\":\"2026-06-01T00:00:00Z\","
	    "\"until\":\"2026-06-01T00:00:00Z\"}",
	    "{\"state\":\"closed\",\"reason\":\"r\",\"from\":\"2026-06-01T00:00:00Z\","
	    "\"until\":\"2026-05-31T23:59:59Z\"}",
	    "{\"state\":\"closed\",\"reason\":\"r\",\"from\":\"2026-06-01T00:00:00Z\","
	    "\"until\":\"1970-01-01T00:00:00Z\"}",
	};
	int before = history_count("MMTZA");

	(void)state;
	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		struct lt_resp r;
		assert_int_equal(lt_request(&srv, "POST", "/api/v1/crossing-points/MMTZA/status",
		                            admin_tok, bodies[i], NULL, &r),
		                 0);
		assert_true(lt_is_problem(&r, 422));
		assert_string_equal(lt_json_str(r.json, "errors/0/field"), "until");
		lt_resp_release(&r);
	}
	assert_int_equal(history_count("MMTZA"), before);
}

static void test_ruili_demo_history(void **state)
{
	struct lt_resp r;
	json_t *ped;

	(void)state;
	/* The passenger closure of 2020-2023 ... */
	status_at("CNRUI", "2022-06-01T04:00:00Z", "mode=pedestrian", &r);
	assert_false(json_is_true(json_object_get(r.json, "open")));
	assert_string_equal(lt_json_str(r.json, "state"), "closed");
	assert_true(json_is_true(json_object_get(r.json, "within_opening_hours")));
	assert_string_equal(lt_json_str(r.json, "local_time"), "2022-06-01T12:00+08:00");
	assert_string_equal(lt_json_str(r.json, "decided_by/from"), "2020-03-31T16:00:00Z");
	lt_resp_release(&r);
	/* ... is over on 1 February 2023. */
	status_at("CNRUI", "2023-02-01T04:00:00Z", "mode=pedestrian", &r);
	assert_true(json_is_true(json_object_get(r.json, "open")));
	assert_string_equal(lt_json_str(r.json, "state"), "open");
	lt_resp_release(&r);
	/* Cargo had its own story: closed mid-2022, goods-only reopening late 2022. */
	assert_false(is_open("CNRUI", "2022-06-01T04:00:00Z", "mode=cargo"));
	status_at("CNRUI", "2022-12-01T04:00:00Z", "mode=cargo", &r);
	assert_true(json_is_true(json_object_get(r.json, "open")));
	assert_string_equal(lt_json_str(r.json, "state"), "restricted");
	lt_resp_release(&r);
	assert_false(is_open("CNRUI", "2022-12-01T04:00:00Z", "mode=pedestrian"));
	/* Asked without a mode, that day is neither open nor closed: some traffic crosses. */
	status_at("CNRUI", "2022-12-01T04:00:00Z", NULL, &r);
	assert_true(json_is_true(json_object_get(r.json, "open")));
	assert_string_equal(lt_json_str(r.json, "state"), "restricted");
	assert_int_equal(json_array_size(json_object_get(r.json, "by_traffic")), 6);
	lt_resp_release(&r);
	/* The all-traffic lockdown of spring 2021. */
	assert_false(is_open("CNRUI", "2021-04-10T04:00:00Z", "mode=cargo"));
	assert_false(is_open("CNRUI", "2021-04-10T04:00:00Z", NULL));

	assert_int_equal(lt_request(&srv, "GET", "/api/v1/crossing-points/CNRUI/status/history",
	                            officer_tok, NULL, NULL, &r),
	                 0);
	LT_ASSERT_STATUS(&r, 200);
	assert_string_equal(lt_json_str(r.json, "crossing_point"), "CNRUI");
	assert_int_equal(json_array_size(json_object_get(r.json, "changes")), 10);
	ped = lt_json_at(r.json, "closures/pedestrian");
	assert_true(json_number_value(json_object_get(ped, "total_days")) > 1000);
	/* One closure of about 1012 days, 2020-03-31T16:00Z to 2023-01-07T16:00Z. */
	assert_string_equal(lt_json_str(ped, "periods/0/from"), "2020-03-31T16:00:00Z");
	assert_string_equal(lt_json_str(ped, "periods/0/until"), "2023-01-07T16:00:00Z");
	assert_true(json_number_value(lt_json_at(ped, "periods/0/days")) > 1011.9 &&
	            json_number_value(lt_json_at(ped, "periods/0/days")) < 1012.1);
	assert_false(json_is_true(lt_json_at(ped, "periods/0/ongoing")));
	/* Cargo closures were shorter, and there were several. */
	assert_true(json_array_size(lt_json_at(r.json, "closures/cargo/periods")) >= 2);
	assert_true(json_number_value(lt_json_at(r.json, "closures/cargo/total_days")) < 1000);
	lt_resp_release(&r);
}

static void test_bad_status_queries_are_422(void **state)
{
	static const struct {
		const char *query, *field;
	} cases[] = {
	    {"?direction=sideways", "direction"},
	    {"?at=garbage", "at"},
	    {"?mode=boat", "mode"},
	    {"?at=2026-13-01T00:00:00Z", "at"},
	    {"?at=2026-02-30T00:00:00Z", "at"},
	    {"?at=2026-03-02T08:00:00", "at"}, /* no zone: which 08:00? */
	    {"?at=", "at"},
	    {"?direction=", "direction"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char path[160];
		struct lt_resp r;
		snprintf(path, sizeof(path), "/api/v1/crossing-points/CNTZA/status%s",
		         cases[i].query);
		assert_int_equal(lt_request(&srv, "GET", path, officer_tok, NULL, NULL, &r), 0);
		if (r.status != 422)
			fprintf(stderr, "%s: %ld %s\n", cases[i].query, r.status, r.body);
		assert_true(lt_is_problem(&r, 422));
		assert_string_equal(lt_json_str(r.json, "errors/0/field"), cases[i].field);
		lt_resp_release(&r);
	}
	/* An offset other than Z names the same instant (percent-encoded '+'). */
	{
		struct lt_resp r;
		status_at("CNTZA", "2026-03-02T08:00:00%2B08:00", NULL, &r);
		assert_string_equal(lt_json_str(r.json, "at"), "2026-03-02T00:00:00Z");
		assert_true(json_is_true(json_object_get(r.json, "open")));
		lt_resp_release(&r);
		assert_int_equal(lt_request(&srv, "GET", "/api/v1/crossing-points/CNZZZ/status",
		                            officer_tok, NULL, NULL, &r),
		                 0);
		assert_true(lt_is_problem(&r, 404));
		lt_resp_release(&r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_same_instant_across_time_zones),
	    cmocka_unit_test(test_next_change_is_the_next_hours_boundary),
	    cmocka_unit_test(test_dst_free_zones_do_not_jump),
	    cmocka_unit_test(test_closure_scoped_to_cargo),
	    cmocka_unit_test(test_closure_scoped_to_a_direction),
	    cmocka_unit_test(test_open_ended_closure),
	    cmocka_unit_test(test_until_not_after_from_is_422),
	    cmocka_unit_test(test_ruili_demo_history),
	    cmocka_unit_test(test_bad_status_queries_are_422),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
