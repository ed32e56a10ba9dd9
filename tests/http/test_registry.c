/*
 * test_registry.c - the border registry over HTTP: crossing points,
 * segments, markers and inspections; GeoJSON; keyset pagination; ETag and
 * If-Match.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static struct lt_server srv;
static char *admin_tok, *officer_tok;
static char officer_id[64];

static int group_setup(void **state)
{
	struct lt_resp r;

	(void)state;
	if (lt_server_start(&srv, LT_DEMO, NULL))
		return -1;
	admin_tok = lt_login(&srv, "admin", LT_ADMIN_PASSWORD);
	officer_tok = lt_login(&srv, "officer.ruili", LT_DEMO_PASSWORD);
	if (!admin_tok || !officer_tok)
		return -1;
	if (lt_request(&srv, "GET", "/api/v1/me", officer_tok, NULL, NULL, &r) || r.status != 200)
		return -1;
	snprintf(officer_id, sizeof(officer_id), "%s", lt_json_str(r.json, "id"));
	lt_resp_release(&r);
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

static void req(const char *method, const char *path, const char *token, const char *body,
                const char *const *headers, struct lt_resp *r)
{
	assert_int_equal(lt_request(&srv, method, path, token, body, headers, r), 0);
}

static double num(json_t *root, const char *path)
{
	json_t *v = lt_json_at(root, path);

	assert_true(json_is_number(v));
	return json_number_value(v);
}

/* ---- keyset pagination (first: it counts the demo markers before others are added) ---- */

static void test_keyset_pagination_of_markers(void **state)
{
	static const int want[] = {40, 40, 40, 30};
	char after[128] = "", seen[200][40];
	size_t nseen = 0;
	struct lt_resp all;

	(void)state;
	for (size_t page = 0; page < sizeof(want) / sizeof(want[0]); page++) {
		char path[256];
		struct lt_resp r;
		json_t *items, *m;
		size_t i;
		snprintf(path, sizeof(path), "/api/v1/markers?limit=40%s%s",
		         after[0] ? "&after=" : "", after);
		req("GET", path, officer_tok, NULL, NULL, &r);
		LT_ASSERT_STATUS(&r, 200);
		items = json_object_get(r.json, "items");
		assert_int_equal(json_array_size(items), want[page]);
		json_array_foreach(items, i, m)
		{
			const char *pillar = lt_json_str(m, "pillar");
			assert_true(pillar[0] != '\0');
			/* Keyset order: strictly increasing, so no duplicates across pages. */
			if (nseen)
				assert_true(strcmp(seen[nseen - 1], pillar) < 0);
			snprintf(seen[nseen++], sizeof(seen[0]), "%s", pillar);
		}
		if (page + 1 < sizeof(want) / sizeof(want[0])) {
			assert_true(json_is_string(json_object_get(r.json, "next")));
			snprintf(after, sizeof(after), "%s", lt_json_str(r.json, "next"));
		} else {
			assert_true(json_is_null(json_object_get(r.json, "next")));
		}
		lt_resp_release(&r);
	}
	assert_int_equal(nseen, 150);
	/* No gaps: the pages together are exactly the whole list. */
	req("GET", "/api/v1/markers?limit=1000", officer_tok, NULL, NULL, &all);
	LT_ASSERT_STATUS(&all, 200);
	assert_int_equal(json_array_size(json_object_get(all.json, "items")), 150);
	for (size_t i = 0; i < nseen; i++)
		assert_string_equal(
		    lt_json_str(json_array_get(json_object_get(all.json, "items"), i), "pillar"),
		    seen[i]);
	assert_true(json_is_null(json_object_get(all.json, "next")));
	lt_resp_release(&all);
}

static void test_page_limits_are_checked(void **state)
{
	static const char *const bad[] = {
	    "/api/v1/markers?limit=0",
	    "/api/v1/markers?limit=1001",
	    "/api/v1/markers?limit=-5",
	    "/api/v1/markers?limit=ten",
	    "/api/v1/markers?limit=",
	    "/api/v1/segments?limit=2x",
	    "/api/v1/crossing-points?limit=99999999999999999999",
	};
	struct lt_resp r;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		req("GET", bad[i], officer_tok, NULL, NULL, &r);
		assert_true(lt_is_problem(&r, 422));
		assert_string_equal(lt_json_str(r.json, "errors/0/field"), "limit");
		lt_resp_release(&r);
	}
	/* A cursor past the end is an empty last page. */
	req("GET", "/api/v1/markers?after=ZZZZ", officer_tok, NULL, NULL, &r);
	LT_ASSERT_STATUS(&r, 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 0);
	assert_true(json_is_null(json_object_get(r.json, "next")));
	lt_resp_release(&r);
}

/* ---- crossing points ---------------------------------------------------------- */

static const char point_json[] =
    "{\"code\":\"CNRGA\",\"name\":\"Registry test\",\"name_other\":\"Test other side\","
    "\"country\":\"CN\",\"country_other\":\"MM\",\"kind\":\"bilateral\","
    "\"modes\":[\"pedestrian\",\"cargo\"],\"lanes\":3,"
    "\"position\":{\"lon\":98.1234567,\"lat\":24.7654321},\"position_approximate\":false,"
    "\"time_zone\":\"Asia/Shanghai\","
    "\"opening_hours\":{\"mon\":[\"08:00-12:00\",\"13:00-18:00\"],\"sat\":[\"09:00-12:00\"]},"
    "\"capacity\":{\"trucks_per_day\":120,\"persons_per_day\":900},\"note\":\"registry test\"}";

static void check_point(json_t *p)
{
	assert_string_equal(lt_json_str(p, "code"), "CNRGA");
	assert_string_equal(lt_json_str(p, "name"), "Registry test");
	assert_string_equal(lt_json_str(p, "name_other"), "Test other side");
	assert_string_equal(lt_json_str(p, "country"), "CN");
	assert_string_equal(lt_json_str(p, "country_other"), "MM");
	assert_string_equal(lt_json_str(p, "kind"), "bilateral");
	assert_int_equal(json_array_size(json_object_get(p, "modes")), 2);
	assert_string_equal(lt_json_str(p, "modes/0"), "pedestrian");
	assert_string_equal(lt_json_str(p, "modes/1"), "cargo");
	assert_int_equal(json_integer_value(json_object_get(p, "lanes")), 3);
	assert_true(fabs(num(p, "position/lon") - 98.1234567) < 1e-9);
	assert_true(fabs(num(p, "position/lat") - 24.7654321) < 1e-9);
	assert_false(json_is_true(json_object_get(p, "position_approximate")));
	assert_string_equal(lt_json_str(p, "time_zone"), "Asia/Shanghai");
	assert_string_equal(lt_json_str(p, "opening_hours/mon/0"), "08:00-12:00");
	assert_string_equal(lt_json_str(p, "opening_hours/mon/1"), "13:00-18:00");
	assert_string_equal(lt_json_str(p, "opening_hours/sat/0"), "09:00-12:00");
	assert_null(lt_json_at(p, "opening_hours/sun"));
	assert_int_equal(json_integer_value(lt_json_at(p, "capacity/trucks_per_day")), 120);
	assert_int_equal(json_integer_value(lt_json_at(p, "capacity/persons_per_day")), 900);
	assert_string_equal(lt_json_str(p, "note"), "registry test");
}

static void test_crossing_point_crud(void **state)
{
	struct lt_resp r;
	char loc[128], etag[64], hdr[96];
	const char *h[] = {hdr, NULL};

	(void)state;
	req("POST", "/api/v1/crossing-points", admin_tok, point_json, NULL, &r);
	LT_ASSERT_STATUS(&r, 201);
	check_point(r.json);
	assert_int_equal(lt_resp_header(&r, "Location", loc, sizeof(loc)), 0);
	assert_string_equal(loc, "/api/v1/crossing-points/CNRGA");
	lt_resp_etag(&r, etag, sizeof(etag));
	assert_string_equal(etag, "v1");
	assert_int_equal(json_integer_value(json_object_get(r.json, "version")), 1);
	lt_resp_release(&r);

	/* Read back as any role. */
	req("GET", loc, officer_tok, NULL, NULL, &r);
	LT_ASSERT_STATUS(&r, 200);
	check_point(r.json);
	lt_resp_etag(&r, etag, sizeof(etag));
	assert_string_equal(etag, "v1");
	lt_resp_release(&r);

	/* In the list. */
	req("GET", "/api/v1/crossing-points?limit=1000", officer_tok, NULL, NULL, &r);
	LT_ASSERT_STATUS(&r, 200);
	{
		size_t i, found = 0;
		json_t *p;
		json_array_foreach(json_object_get(r.json, "items"), i,
		                   p) if (!strcmp(lt_json_str(p, "code"), "CNRGA"))
		{
			check_point(p);
			found++;
		}
		assert_int_equal(found, 1);
		assert_int_equal(json_array_size(json_object_get(r.json, "items")), 13);
	}
	lt_resp_release(&r);

	/* The code is unique. */
	req("POST", "/api/v1/crossing-points", admin_tok, point_json, NULL, &r);
	assert_true(lt_is_problem(&r, 409));
	lt_resp_release(&r);

	/* Update: only what is sent changes; hours can become "always open". */
	snprintf(hdr, sizeof(hdr), "If-Match: \"%s\"", etag);
	req("PATCH", loc, admin_tok, "{\"lanes\":4,\"opening_hours\":null}", h, &r);
	LT_ASSERT_STATUS(&r, 200);
	assert_int_equal(json_integer_value(json_object_get(r.json, "lanes")), 4);
	assert_true(json_is_null(json_object_get(r.json, "opening_hours")));
	assert_string_equal(lt_json_str(r.json, "name"), "Registry test");
	assert_int_equal(json_integer_value(json_object_get(r.json, "version")), 2);
	lt_resp_release(&r);

	req("GET", "/api/v1/crossing-points/CNZZZ", officer_tok, NULL, NULL, &r);
	assert_true(lt_is_problem(&r, 404));
	lt_resp_release(&r);
}

/* ---- If-Match ---------------------------------------------------------------- */

static void test_patch_needs_current_etag(void **state)
{
	const char *path = "/api/v1/crossing-points/CNHOQ";
	char etag[64], etag2[64], hdr[96];
	const char *h[] = {hdr, NULL};
	struct lt_resp r;

	(void)state;
	req("GET", path, admin_tok, NULL, NULL, &r);
	LT_ASSERT_STATUS(&r, 200);
	lt_resp_etag(&r, etag, sizeof(etag));
	assert_true(etag[0] != '\0');
	lt_resp_release(&r);

	/* Without If-Match: 428, naming the header. */
	req("PATCH", path, admin_tok, "{\"lanes\":7}", NULL, &r);
	assert_true(lt_is_problem(&r, 428));
	assert_string_equal(lt_json_str(r.json, "errors/0/field"), "If-Match");
	lt_resp_release(&r);

	/* A stale or foreign ETag: 412, and nothing changed. */
	static const char *const stale[] = {"If-Match: \"v999\"", "If-Match: \"v0\"",
	                                    "If-Match: \"garbage\"", "If-Match: W/\"v1\""};
	for (size_t i = 0; i < sizeof(stale) / sizeof(stale[0]); i++) {
		const char *sh[] = {stale[i], NULL};
		req("PATCH", path, admin_tok, "{\"lanes\":7}", sh, &r);
		if (r.status != 412)
			fprintf(stderr, "%s\n", stale[i]);
		assert_true(lt_is_problem(&r, 412));
		lt_resp_release(&r);
	}
	req("GET", path, admin_tok, NULL, NULL, &r);
	lt_resp_etag(&r, etag2, sizeof(etag2));
	assert_string_equal(etag2, etag);
	assert_int_equal(json_integer_value(json_object_get(r.json, "lanes")), 6);
	lt_resp_release(&r);

	/* The current ETag: 200 and a new ETag, quoted or not. */
	snprintf(hdr, sizeof(hdr), "If-Match: \"%s\"", etag);
	req("PATCH", path, admin_tok, "{\"lanes\":7}", h, &r);
	LT_ASSERT_STATUS(&r, 200);
	assert_int_equal(json_integer_value(json_object_get(r.json, "lanes")), 7);
	lt_resp_etag(&r, etag2, sizeof(etag2));
	assert_true(etag2[0] != '\0');
	assert_string_not_equal(etag2, etag);
	lt_resp_release(&r);

	/* The ETag just used is stale now: a lost update is refused. */
	req("PATCH", path, admin_tok, "{\"lanes\":8}", h, &r);
	assert_true(lt_is_problem(&r, 412));
	lt_resp_release(&r);
	req("GET", path, admin_tok, NULL, NULL, &r);
	assert_int_equal(json_integer_value(json_object_get(r.json, "lanes")), 7);
	lt_resp_etag(&r, etag, sizeof(etag));
	assert_string_equal(etag, etag2);
	lt_resp_release(&r);
}

static void test_crossing_point_code_cannot_change(void **state)
{
	const char *path = "/api/v1/crossing-points/CNNBG";
	char etag[64], hdr[96];
	const char *h[] = {hdr, NULL};
	struct lt_resp r;

	(void)state;
	req("GET", path, admin_tok, NULL, NULL, &r);
	lt_resp_etag(&r, etag, sizeof(etag));
	lt_resp_release(&r);
	snprintf(hdr, sizeof(hdr), "If-Match: \"%s\"", etag);
	req("PATCH", path, admin_tok, "{\"code\":\"CNNBX\",\"note\":\"renamed?\"}", h, &r);
	assert_true(lt_is_problem(&r, 422));
	assert_string_equal(lt_json_str(r.json, "errors/0/field"), "code");
	lt_resp_release(&r);
	req("GET", path, admin_tok, NULL, NULL, &r);
	LT_ASSERT_STATUS(&r, 200);
	assert_string_equal(lt_json_str(r.json, "code"), "CNNBG");
	assert_string_not_equal(lt_json_str(r.json, "note"), "renamed?");
	lt_resp_release(&r);
	req("GET", "/api/v1/crossing-points/CNNBX", admin_tok, NULL, NULL, &r);
	assert_true(lt_is_problem(&r, 404));
	lt_resp_release(&r);
	/* Sending the same code is not a change. */
	req("PATCH", path, admin_tok, "{\"code\":\"CNNBG\",\"lanes\":3}", h, &r);
	LT_ASSERT_STATUS(&r, 200);
	lt_resp_release(&r);
}

/* ---- segments ------------------------------------------------------------------ */

static void test_segment_crud_and_length(void **state)
{
	/* Three vertices 0.1 degree of latitude apart on a meridian: about 22.24 km. */
	static const char body[] =
	    "{\"code\":\"RG-SEG-1\",\"name\":\"Registry segment\",\"countries\":[\"CN\",\"MM\"],"
	    "\"geometry\":{\"type\":\"LineString\","
	    "\"coordinates\":[[98.0,24.0],[98.0,24.1],[98.0,24.2]]},\"note\":\"n\"}";
	char etag[64], hdr[96];
	const char *h[] = {hdr, NULL};
	struct lt_resp r;
	double len;

	(void)state;
	req("POST", "/api/v1/segments", admin_tok, body, NULL, &r);
	LT_ASSERT_STATUS(&r, 201);
	len = num(r.json, "length_m");
	assert_true(fabs(len - 22239.0) < 22239.0 * 0.005); /* 2 x 0.1 deg x 111.195 km */
	assert_string_equal(lt_json_str(r.json, "geometry/type"), "LineString");
	assert_int_equal(json_array_size(lt_json_at(r.json, "geometry/coordinates")), 3);
	/* [lon, lat], as sent. */
	assert_true(fabs(num(r.json, "geometry/coordinates/1/0") - 98.0) < 1e-9);
	assert_true(fabs(num(r.json, "geometry/coordinates/1/1") - 24.1) < 1e-9);
	assert_string_equal(lt_json_str(r.json, "countries/0"), "CN");
	assert_string_equal(lt_json_str(r.json, "countries/1"), "MM");
	lt_resp_etag(&r, etag, sizeof(etag));
	lt_resp_release(&r);

	req("GET", "/api/v1/segments/RG-SEG-1", officer_tok, NULL, NULL, &r);
	LT_ASSERT_STATUS(&r, 200);
	assert_true(fabs(num(r.json, "length_m") - len) < 1e-6);
	lt_resp_release(&r);

	/* A new geometry gets a new length: along the parallel at 24 N, cos(24) shorter. */
	snprintf(hdr, sizeof(hdr), "If-Match: \"%s\"", etag);
	req("PATCH", "/api/v1/segments/RG-SEG-1", admin_tok,
	    "{\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[98.0,24.0],[98.1,24.0]]}}", h,
	    &r);
	LT_ASSERT_STATUS(&r, 200);
	len = num(r.json, "length_m");
	assert_true(fabs(len - 10158.0) < 10158.0 * 0.005);
	assert_int_equal(json_array_size(lt_json_at(r.json, "geometry/coordinates")), 2);
	lt_resp_release(&r);

	/* The demo's first segment says it is 114.2 km long. */
	req("GET", "/api/v1/segments/CN-MM-01", officer_tok, NULL, NULL, &r);
	LT_ASSERT_STATUS(&r, 200);
	len = num(r.json, "length_m");
	assert_true(fabs(len - 114200.0) < 114200.0 * 0.01);
	lt_resp_release(&r);

	req("POST", "/api/v1/segments", admin_tok, body, NULL, &r);
	assert_true(lt_is_problem(&r, 409));
	lt_resp_release(&r);
}

static void test_segment_code_change_is_consistent(void **state)
{
	char etag[64], hdr[96];
	const char *h[] = {hdr, NULL};
	struct lt_resp r, old_get, new_get;

	(void)state;
	req("GET", "/api/v1/segments/CN-MM-03", admin_tok, NULL, NULL, &r);
	LT_ASSERT_STATUS(&r, 200);
	lt_resp_etag(&r, etag, sizeof(etag));
	lt_resp_release(&r);
	snprintf(hdr, sizeof(hdr), "If-Match: \"%s\"", etag);
	req("PATCH", "/api/v1/segments/CN-MM-03", admin_tok, "{\"code\":\"CN-MM-03-RENAMED\"}", h,
	    &r);
	req("GET", "/api/v1/segments/CN-MM-03", admin_tok, NULL, NULL, &old_get);
	req("GET", "/api/v1/segments/CN-MM-03-RENAMED", admin_tok, NULL, NULL, &new_get);
	/*
	 * Either the code is immutable (422, nothing changed) or the rename is
	 * answered 200 and took effect. Regression guard (src/http/h_registry.c
	 * h_segment_patch): the rename is committed and then re-read under the
	 * old code, so the client gets a 404 for a write that happened.
	 */
	if (r.status == 200) {
		assert_string_equal(lt_json_str(r.json, "code"), "CN-MM-03-RENAMED");
		LT_ASSERT_STATUS(&new_get, 200);
		assert_int_equal(old_get.status, 404);
	} else {
		if (r.status != 422)
			fprintf(stderr, "rename answered %ld; old code %ld, new code %ld\n",
			        r.status, old_get.status, new_get.status);
		assert_true(lt_is_problem(&r, 422));
		LT_ASSERT_STATUS(&old_get, 200);
		assert_int_equal(new_get.status, 404);
	}
	lt_resp_release(&r);
	lt_resp_release(&old_get);
	lt_resp_release(&new_get);
}

/* ---- markers and inspections --------------------------------------------------- */

static void test_marker_crud_and_inspection(void **state)
{
	char seg_id[64], etag[64], hdr[96];
	const char *h[] = {hdr, NULL};
	struct lt_resp r;

	(void)state;
	req("GET", "/api/v1/segments/CN-MM-05", officer_tok, NULL, NULL, &r);
	snprintf(seg_id, sizeof(seg_id), "%s", lt_json_str(r.json, "id"));
	lt_resp_release(&r);

	req("POST", "/api/v1/markers", admin_tok,
	    "{\"pillar\":\"RG-127.1\",\"segment\":\"CN-MM-05\","
	    "\"position\":{\"lon\":98.55,\"lat\":24.05},\"condition\":\"intact\",\"note\":\"new\"}",
	    NULL, &r);
	LT_ASSERT_STATUS(&r, 201);
	assert_string_equal(lt_json_str(r.json, "pillar"), "RG-127.1");
	assert_string_equal(lt_json_str(r.json, "segment_id"), seg_id); /* code resolved to id */
	assert_string_equal(lt_json_str(r.json, "condition"), "intact");
	assert_true(fabs(num(r.json, "position/lon") - 98.55) < 1e-9);
	lt_resp_release(&r);

	/* An unknown segment is a validation error, not a dangling reference. */
	req("POST", "/api/v1/markers", admin_tok,
	    "{\"pillar\":\"RG-128\",\"segment\":\"NO-SUCH\","
	    "\"position\":{\"lon\":98.55,\"lat\":24.05},\"condition\":\"intact\"}",
	    NULL, &r);
	assert_true(lt_is_problem(&r, 422));
	assert_string_equal(lt_json_str(r.json, "errors/0/field"), "segment");
	lt_resp_release(&r);

	/* Pillars are path segments of the API (/markers/{pillar}): no slash in them. */
	req("POST", "/api/v1/markers", admin_tok,
	    "{\"pillar\":\"RG-127/2\",\"position\":{\"lon\":98.55,\"lat\":24.05},"
	    "\"condition\":\"intact\"}",
	    NULL, &r);
	assert_true(lt_is_problem(&r, 422));
	assert_string_equal(lt_json_str(r.json, "errors/0/field"), "pillar");
	lt_resp_release(&r);
	req("GET", "/api/v1/markers/RG-127.1", officer_tok, NULL, NULL, &r);
	LT_ASSERT_STATUS(&r, 200);
	assert_string_equal(lt_json_str(r.json, "pillar"), "RG-127.1");
	lt_resp_release(&r);

	/* An officer's inspection sets the marker's condition. */
	req("POST", "/api/v1/markers/D-010/inspections", officer_tok,
	    "{\"inspected_at\":\"2025-05-04T03:20:00Z\",\"condition\":\"missing\","
	    "\"note\":\"pillar gone after the landslide\"}",
	    NULL, &r);
	LT_ASSERT_STATUS(&r, 201);
	assert_string_equal(lt_json_str(r.json, "condition"), "missing");
	assert_string_equal(lt_json_str(r.json, "inspector_id"), officer_id);
	assert_string_equal(lt_json_str(r.json, "inspected_at"), "2025-05-04T03:20:00Z");
	lt_resp_release(&r);
	req("GET", "/api/v1/markers/D-010", officer_tok, NULL, NULL, &r);
	LT_ASSERT_STATUS(&r, 200);
	assert_string_equal(lt_json_str(r.json, "condition"), "missing");
	lt_resp_etag(&r, etag, sizeof(etag));
	assert_string_not_equal(etag, "v1"); /* the inspection changed the marker */
	lt_resp_release(&r);
	req("GET", "/api/v1/markers/D-010/inspections", officer_tok, NULL, NULL, &r);
	LT_ASSERT_STATUS(&r, 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
	assert_string_equal(lt_json_str(r.json, "items/0/condition"), "missing");
	assert_string_equal(lt_json_str(r.json, "items/0/note"), "pillar gone after the landslide");
	assert_string_equal(lt_json_str(r.json, "items/0/inspector_id"), officer_id);
	lt_resp_release(&r);

	/* A later inspection finds it again. */
	req("POST", "/api/v1/markers/D-010/inspections", officer_tok,
	    "{\"inspected_at\":\"2025-07-01T00:00:00Z\",\"condition\":\"displaced\"}", NULL, &r);
	LT_ASSERT_STATUS(&r, 201);
	lt_resp_release(&r);
	req("GET", "/api/v1/markers/D-010", officer_tok, NULL, NULL, &r);
	assert_string_equal(lt_json_str(r.json, "condition"), "displaced");
	lt_resp_release(&r);
	req("GET", "/api/v1/markers/D-010/inspections", officer_tok, NULL, NULL, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 2);
	lt_resp_release(&r);

	/* A report made earlier but synced late (an offline post) joins the history
	 * without overwriting the newer finding. */
	req("POST", "/api/v1/markers/D-010/inspections", officer_tok,
	    "{\"inspected_at\":\"2025-06-01T00:00:00Z\",\"condition\":\"intact\"}", NULL, &r);
	LT_ASSERT_STATUS(&r, 201);
	lt_resp_release(&r);
	req("GET", "/api/v1/markers/D-010", officer_tok, NULL, NULL, &r);
	assert_string_equal(lt_json_str(r.json, "condition"), "displaced");
	lt_resp_release(&r);
	req("GET", "/api/v1/markers/D-010/inspections", officer_tok, NULL, NULL, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 3);
	assert_string_equal(lt_json_str(r.json, "items/1/inspected_at"), "2025-06-01T00:00:00Z");
	lt_resp_release(&r);

	/* Inspections in the future, or of markers that do not exist, are refused. */
	req("POST", "/api/v1/markers/D-010/inspections", officer_tok,
	    "{\"inspected_at\":\"2099-01-01T00:00:00Z\",\"condition\":\"intact\"}", NULL, &r);
	assert_true(lt_is_problem(&r, 422));
	assert_string_equal(lt_json_str(r.json, "errors/0/field"), "inspected_at");
	lt_resp_release(&r);
	req("POST", "/api/v1/markers/NOPE-1/inspections", officer_tok,
	    "{\"inspected_at\":\"2025-01-01T00:00:00Z\",\"condition\":\"intact\"}", NULL, &r);
	assert_true(lt_is_problem(&r, 404));
	lt_resp_release(&r);

	/* The administrator corrects a marker. */
	req("GET", "/api/v1/markers/D-011", admin_tok, NULL, NULL, &r);
	lt_resp_etag(&r, etag, sizeof(etag));
	lt_resp_release(&r);
	snprintf(hdr, sizeof(hdr), "If-Match: \"%s\"", etag);
	req("PATCH", "/api/v1/markers/D-011", admin_tok,
	    "{\"condition\":\"damaged\",\"position\":{\"lon\":98.0,\"lat\":25.0}}", h, &r);
	LT_ASSERT_STATUS(&r, 200);
	assert_string_equal(lt_json_str(r.json, "condition"), "damaged");
	assert_true(fabs(num(r.json, "position/lat") - 25.0) < 1e-9);
	lt_resp_release(&r);
	/* A marker registered by mistake is deleted by the administrator, with If-Match;
	 * one with inspections keeps its history and cannot be. */
	req("GET", "/api/v1/markers/RG-127.1", admin_tok, NULL, NULL, &r);
	lt_resp_etag(&r, etag, sizeof(etag));
	lt_resp_release(&r);
	req("DELETE", "/api/v1/markers/RG-127.1", admin_tok, NULL, NULL, &r);
	assert_true(lt_is_problem(&r, 428));
	lt_resp_release(&r);
	req("DELETE", "/api/v1/markers/RG-127.1", admin_tok, NULL,
	    (const char *const[]){"If-Match: \"v999\"", NULL}, &r);
	assert_true(lt_is_problem(&r, 412));
	lt_resp_release(&r);
	snprintf(hdr, sizeof(hdr), "If-Match: \"%s\"", etag);
	req("DELETE", "/api/v1/markers/RG-127.1", officer_tok, NULL, h, &r);
	assert_true(lt_is_problem(&r, 403));
	lt_resp_release(&r);
	req("DELETE", "/api/v1/markers/RG-127.1", admin_tok, NULL, h, &r);
	LT_ASSERT_STATUS(&r, 204);
	lt_resp_release(&r);
	req("GET", "/api/v1/markers/RG-127.1", admin_tok, NULL, NULL, &r);
	assert_true(lt_is_problem(&r, 404));
	lt_resp_release(&r);
	req("GET", "/api/v1/markers/D-010", admin_tok, NULL, NULL, &r);
	lt_resp_etag(&r, etag, sizeof(etag));
	lt_resp_release(&r);
	snprintf(hdr, sizeof(hdr), "If-Match: \"%s\"", etag);
	req("DELETE", "/api/v1/markers/D-010", admin_tok, NULL, h, &r);
	assert_true(lt_is_problem(&r, 409));
	lt_resp_release(&r);
	req("GET", "/api/v1/markers/D-010/inspections", admin_tok, NULL, NULL, &r);
	LT_ASSERT_STATUS(&r, 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 3);
	lt_resp_release(&r);
}

/* ---- GeoJSON ------------------------------------------------------------------- */

/* Agencies: name, kind and country change under If-Match; the code never does. */
static void test_agency_update(void **state)
{
	struct lt_resp r;
	char etag[32], hdr[64];
	const char *h[] = {hdr, NULL};

	(void)state;
	req("GET", "/api/v1/agencies/CN-GOV-RUILI", admin_tok, NULL, NULL, &r);
	LT_ASSERT_STATUS(&r, 200);
	lt_resp_etag(&r, etag, sizeof(etag));
	lt_resp_release(&r);
	snprintf(hdr, sizeof(hdr), "If-Match: \"%s\"", etag);
	req("PATCH", "/api/v1/agencies/CN-GOV-RUILI", admin_tok, "{\"code\":\"CN-GOV-X\"}", h, &r);
	assert_true(lt_is_problem(&r, 422));
	assert_string_equal(lt_json_str(r.json, "errors/0/field"), "code");
	lt_resp_release(&r);
	req("PATCH", "/api/v1/agencies/CN-GOV-RUILI", admin_tok, "{\"kind\":\"bakery\"}", h, &r);
	assert_true(lt_is_problem(&r, 422));
	assert_string_equal(lt_json_str(r.json, "errors/0/field"), "kind");
	lt_resp_release(&r);
	req("PATCH", "/api/v1/agencies/CN-GOV-RUILI", admin_tok,
	    "{\"name\":\"Ruili City People's Government (demo, renamed)\"}", h, &r);
	LT_ASSERT_STATUS(&r, 200);
	assert_string_equal(lt_json_str(r.json, "name"),
	                    "Ruili City People's Government (demo, renamed)");
	assert_string_equal(lt_json_str(r.json, "code"), "CN-GOV-RUILI");
	assert_string_equal(lt_json_str(r.json, "kind"), "local_government");
	lt_resp_release(&r);
	/* The same ETag again is stale now. */
	req("PATCH", "/api/v1/agencies/CN-GOV-RUILI", admin_tok, "{\"name\":\"x\"}", h, &r);
	assert_true(lt_is_problem(&r, 412));
	lt_resp_release(&r);
}

static void check_feature_collection(json_t *fc, const char *geometry, size_t min)
{
	size_t i;
	json_t *f;

	assert_string_equal(lt_json_str(fc, "type"), "FeatureCollection");
	assert_true(json_array_size(json_object_get(fc, "features")) >= min);
	json_array_foreach(json_object_get(fc, "features"), i, f)
	{
		json_t *c = lt_json_at(f, "geometry/coordinates");
		assert_string_equal(lt_json_str(f, "type"), "Feature");
		assert_string_equal(lt_json_str(f, "geometry/type"), geometry);
		assert_true(json_is_object(json_object_get(f, "properties")));
		if (!strcmp(geometry, "LineString"))
			c = json_array_get(c, 0);
		/* [lon, lat]: on this border, longitude 97-102 and latitude 21-29. */
		assert_true(json_array_size(c) == 2);
		assert_true(json_number_value(json_array_get(c, 0)) > 96 &&
		            json_number_value(json_array_get(c, 0)) < 103);
		assert_true(json_number_value(json_array_get(c, 1)) > 20 &&
		            json_number_value(json_array_get(c, 1)) < 30);
	}
}

static void test_geojson_export(void **state)
{
	static const char *const accept[] = {"Accept: application/geo+json", NULL};
	static const struct {
		const char *path, *geometry;
		size_t min;
	} lists[] = {
	    {"/api/v1/crossing-points?format=geojson&limit=12", "Point", 12},
	    {"/api/v1/segments?format=geojson", "LineString", 10},
	    {"/api/v1/markers?format=geojson&limit=1000", "Point", 150},
	};
	struct lt_resp r;

	(void)state;
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		req("GET", lists[i].path, officer_tok, NULL, NULL, &r);
		LT_ASSERT_STATUS(&r, 200);
		assert_true(strncmp(r.content_type, "application/geo+json", 20) == 0);
		check_feature_collection(r.json, lists[i].geometry, lists[i].min);
		lt_resp_release(&r);
	}
	/* The same by content negotiation. */
	req("GET", "/api/v1/segments", officer_tok, NULL, accept, &r);
	LT_ASSERT_STATUS(&r, 200);
	assert_true(strncmp(r.content_type, "application/geo+json", 20) == 0);
	check_feature_collection(r.json, "LineString", 10);
	lt_resp_release(&r);

	/* One point as a Feature, Ruili at about 97.909 E, 23.989 N: longitude first. */
	req("GET", "/api/v1/crossing-points/CNRUI", officer_tok, NULL, accept, &r);
	LT_ASSERT_STATUS(&r, 200);
	assert_true(strncmp(r.content_type, "application/geo+json", 20) == 0);
	assert_string_equal(lt_json_str(r.json, "type"), "Feature");
	assert_string_equal(lt_json_str(r.json, "geometry/type"), "Point");
	assert_true(fabs(num(r.json, "geometry/coordinates/0") - 97.909) < 0.01);
	assert_true(fabs(num(r.json, "geometry/coordinates/1") - 23.989) < 0.01);
	assert_string_equal(lt_json_str(r.json, "properties/code"), "CNRUI");
	lt_resp_release(&r);
	req("GET", "/api/v1/markers/D-001?format=geojson", officer_tok, NULL, NULL, &r);
	LT_ASSERT_STATUS(&r, 200);
	assert_string_equal(lt_json_str(r.json, "type"), "Feature");
	assert_true(fabs(num(r.json, "geometry/coordinates/0") - 97.35384) < 1e-6);
	assert_true(fabs(num(r.json, "geometry/coordinates/1") - 28.2503) < 1e-6);
	lt_resp_release(&r);
	req("GET", "/api/v1/segments/CN-MM-01?format=geojson", officer_tok, NULL, NULL, &r);
	LT_ASSERT_STATUS(&r, 200);
	assert_string_equal(lt_json_str(r.json, "type"), "Feature");
	assert_string_equal(lt_json_str(r.json, "geometry/type"), "LineString");
	assert_true(fabs(num(r.json, "geometry/coordinates/0/0") - 97.32157) < 1e-6);
	assert_true(fabs(num(r.json, "geometry/coordinates/0/1") - 28.21763) < 1e-6);
	lt_resp_release(&r);

	/* Plain JSON stays the default. */
	req("GET", "/api/v1/crossing-points/CNRUI", officer_tok, NULL, NULL, &r);
	assert_true(strncmp(r.content_type, "application/json", 16) == 0);
	assert_string_equal(lt_json_str(r.json, "code"), "CNRUI");
	lt_resp_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_keyset_pagination_of_markers),
	    cmocka_unit_test(test_page_limits_are_checked),
	    cmocka_unit_test(test_crossing_point_crud),
	    cmocka_unit_test(test_patch_needs_current_etag),
	    cmocka_unit_test(test_crossing_point_code_cannot_change),
	    cmocka_unit_test(test_segment_crud_and_length),
	    cmocka_unit_test(test_segment_code_change_is_consistent),
	    cmocka_unit_test(test_marker_crud_and_inspection),
	    cmocka_unit_test(test_agency_update),
	    cmocka_unit_test(test_geojson_export),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
