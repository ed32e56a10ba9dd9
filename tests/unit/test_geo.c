#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/geo.h"
#include "testdata.h"

/* Ruili (China) and Muse (Myanmar), the two towns of the reference crossing. */
static const struct lm_point ruili = {97.8511, 24.0128};
static const struct lm_point muse = {97.9008, 23.9836};

static void test_check_ranges(void **state)
{
	struct lm_error err;

	assert_int_equal(lm_geo_check(0, 0, "position", NULL), 0);
	assert_int_equal(lm_geo_check(-180, -90, "position", NULL), 0);
	assert_int_equal(lm_geo_check(180, 90, "position", NULL), 0);
	assert_int_equal(lm_geo_check(ruili.lon, ruili.lat, "position", NULL), 0);

	lm_error_init(&err);
	assert_int_equal(lm_geo_check(0, 90.0000001, "position", &err), LM_EINVAL);
	assert_int_equal(err.code, LM_EINVAL);
	assert_string_equal(err.field, "position/lat");
	lm_error_init(&err);
	assert_int_equal(lm_geo_check(-180.5, 0, "position", &err), LM_EINVAL);
	assert_string_equal(err.field, "position/lon");
	lm_error_init(&err);
	assert_int_equal(lm_geo_check(NAN, 0, "incident/position", &err), LM_EINVAL);
	assert_string_equal(err.field, "incident/position/lon");
	lm_error_init(&err);
	assert_int_equal(lm_geo_check(0, NAN, NULL, &err), LM_EINVAL);
	assert_string_equal(err.field, "lat");
	lm_error_init(&err);
	assert_int_equal(lm_geo_check(0, -INFINITY, "", &err), LM_EINVAL);
	assert_string_equal(err.field, "lat");
	assert_int_equal(lm_geo_check(INFINITY, 0, "p", &err), LM_EINVAL);
	assert_int_equal(lm_geo_check(0, -91, "p", &err), LM_EINVAL);
	assert_true(err.msg[0] != '\0');
}

static void test_distances(void **state)
{
	struct lm_point a = {97.85, 24.0}, b = {97.85, 25.0};
	struct lm_point eq0 = {0, 0}, eq1 = {1, 0}, anti = {180, 0};
	struct lm_point np = {0, 90}, np2 = {123, 90};
	double d;

	/* One degree of arc is R * pi / 180 = 111195.08 m, whatever the direction. */
	assert_true(fabs(lm_geo_distance_m(a, b) - 111195.08) < 0.01);
	assert_true(fabs(lm_geo_distance_m(eq0, eq1) - 111195.08) < 0.01);
	assert_true(fabs(lm_geo_distance_m(eq0, anti) - 20015114.44) < 0.01);
	assert_true(lm_geo_distance_m(np, np2) < 1e-6);
	assert_true(lm_geo_distance_m(ruili, ruili) == 0.0);

	/* Ruili to Muse across the Shweli river: a few kilometres. */
	d = lm_geo_distance_m(ruili, muse);
	assert_true(d > 3000 && d < 10000);
	assert_true(fabs(d - lm_geo_distance_m(muse, ruili)) < 1e-6);
}

static void test_line_length(void **state)
{
	struct lm_point line[] = {{0, 0}, {0, 1}, {1, 1}};
	double one_deg_at_1 = lm_geo_distance_m(line[1], line[2]);

	assert_true(lm_geo_line_length_m(line, 0) == 0.0);
	assert_true(lm_geo_line_length_m(line, 1) == 0.0);
	assert_true(fabs(lm_geo_line_length_m(line, 2) - 111195.08) < 0.01);
	assert_true(fabs(lm_geo_line_length_m(line, 3) - 111195.08 - one_deg_at_1) < 0.01);
	/* At latitude 1 a degree of longitude is cos(1 deg) shorter. */
	assert_true(one_deg_at_1 < 111195.08 && one_deg_at_1 > 111170);
}

static void test_wkt_write(void **state)
{
	struct lm_point line[] = {{97.8511, 24.0128}, {-0.00000001, -90}, {180, 0.5}};
	struct lm_point bad[] = {{0, 0}, {NAN, 0}};
	struct lm_buf b = LM_BUF_INIT;

	assert_int_equal(lm_buf_puts(&b, "keep:"), 0);
	assert_int_equal(lm_geo_line_to_wkt(line, 3, &b), 0);
	assert_string_equal(b.ptr, "keep:LINESTRING(97.8511000 24.0128000, 0.0000000 "
	                           "-90.0000000, 180.0000000 0.5000000)");

	/* Failures leave the buffer as it was. */
	lm_buf_reset(&b);
	assert_int_equal(lm_buf_puts(&b, "keep"), 0);
	assert_int_equal(lm_geo_line_to_wkt(line, 1, &b), LM_EINVAL);
	assert_int_equal(lm_geo_line_to_wkt(line, 0, &b), LM_EINVAL);
	assert_int_equal(lm_geo_line_to_wkt(bad, 2, &b), LM_EINVAL);
	assert_string_equal(b.ptr, "keep");
	lm_buf_release(&b);

	lm_buf_init(&b, 20);
	assert_int_equal(lm_geo_line_to_wkt(line, 3, &b), LM_ETOOBIG);
	assert_int_equal(b.len, 0);
	lm_buf_release(&b);
}

static void test_wkt_round_trip(void **state)
{
	enum { N = 500 };
	struct lm_point *in = malloc(N * sizeof(*in)), *out = NULL;
	struct lm_buf b = LM_BUF_INIT, b2 = LM_BUF_INIT;
	struct lm_error err;
	size_t n = 0;
	uint64_t x = 0x9e3779b97f4a7c15u;

	assert_non_null(in);
	/* Points on the 1e-7 grid survive text exactly; a fixed xorshift keeps the test repeatable.
	 */
	for (size_t i = 0; i < N; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		in[i].lon = (double)((int64_t)(x % 3600000001u) - 1800000000) / 1e7;
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		in[i].lat = (double)((int64_t)(x % 1800000001u) - 900000000) / 1e7;
	}
	in[0].lon = -180, in[0].lat = 90, in[1].lon = 180, in[1].lat = -90;
	assert_int_equal(lm_geo_line_to_wkt(in, N, &b), 0);
	lm_error_init(&err);
	assert_int_equal(lm_geo_line_from_wkt(b.ptr, b.len, &out, &n, &err), 0);
	assert_int_equal(n, N);
	for (size_t i = 0; i < N; i++) {
		assert_true(out[i].lon == in[i].lon);
		assert_true(out[i].lat == in[i].lat);
	}
	assert_int_equal(lm_geo_line_to_wkt(out, n, &b2), 0);
	assert_string_equal(b.ptr, b2.ptr);
	assert_true(fabs(lm_geo_line_length_m(in, N) - lm_geo_line_length_m(out, n)) < 1e-6);
	free(out);
	free(in);
	lm_buf_release(&b);
	lm_buf_release(&b2);
}

static void test_wkt_tolerant(void **state)
{
	static const char s[] = " \tlinestring ( 97.85 24.01 ,\n97.90\t 23.99,+1 -2 ) \r\n";
	struct lm_point *pts = NULL;
	struct lm_error err;
	size_t n = 0;

	lm_error_init(&err);
	assert_int_equal(lm_geo_line_from_wkt(s, strlen(s), &pts, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_true(pts[0].lon == 97.85 && pts[0].lat == 24.01);
	assert_true(pts[1].lon == 97.90 && pts[1].lat == 23.99);
	assert_true(pts[2].lon == 1 && pts[2].lat == -2);
	free(pts);

	/* Length is honoured: the text after len is not read. */
	assert_int_equal(lm_geo_line_from_wkt("LINESTRING(0 0, 1 1)garbage", 20, &pts, &n, &err),
	                 0);
	assert_int_equal(n, 2);
	free(pts);
}

static void one_bad(int line, char **f, int nf, void *ctx)
{
	struct lm_point *pts = (struct lm_point *)1;
	struct lm_error err;
	size_t n = 99;
	int rc;

	lm_error_init(&err);
	rc = lm_geo_line_from_wkt(f[0], strlen(f[0]), &pts, &n, &err);
	if (rc != LM_EINVAL || pts != NULL || n != 0)
		fail_msg("wkt_bad.txt line %d: rc %d for \"%s\"", line, rc, f[0]);
	if (strcmp(err.field, "wkt") != 0 || err.offset < 0 || (size_t)err.offset > strlen(f[0]) ||
	    err.msg[0] == '\0')
		fail_msg("wkt_bad.txt line %d: error %s @%ld: %s", line, err.field, err.offset,
		         err.msg);
}

static void test_wkt_garbage(void **state)
{
	struct lm_point *pts = (struct lm_point *)1;
	struct lm_error err;
	size_t n = 1;

	assert_true(lm_test_table("core/wkt_bad.txt", one_bad, NULL) >= 40);
	assert_int_equal(lm_geo_line_from_wkt("", 0, &pts, &n, &err), LM_EINVAL);
	assert_null(pts);
	assert_int_equal(lm_geo_line_from_wkt("LINESTRING(0 0,\0 1 1)", 21, &pts, &n, &err),
	                 LM_EINVAL);
	assert_int_equal(err.offset, 15);
	assert_int_equal(lm_geo_line_from_wkt("LINESTRING(0 0, 1 1)", 19, &pts, &n, &err),
	                 LM_EINVAL);
	/* An out-of-range point is reported at its own offset. */
	assert_int_equal(lm_geo_line_from_wkt("LINESTRING(0 0, 200 1)", 22, &pts, &n, &err),
	                 LM_EINVAL);
	assert_int_equal(err.offset, 16);
}

/* Builds "LINESTRING(0 0, 0 0, ...)" with k points. */
static char *many_points(size_t k, size_t *len)
{
	struct lm_buf b = LM_BUF_INIT;

	assert_int_equal(lm_buf_puts(&b, "LINESTRING(0 0"), 0);
	for (size_t i = 1; i < k; i++)
		assert_int_equal(lm_buf_puts(&b, ",0 0"), 0);
	assert_int_equal(lm_buf_putc(&b, ')'), 0);
	*len = b.len;
	return lm_buf_detach(&b);
}

static void test_wkt_point_limit(void **state)
{
	struct lm_point *pts = NULL;
	struct lm_error err;
	size_t n = 0, len;
	char *s = many_points(LM_GEO_LINE_MAX, &len);

	assert_int_equal(lm_geo_line_from_wkt(s, len, &pts, &n, &err), 0);
	assert_int_equal(n, LM_GEO_LINE_MAX);
	free(pts);
	free(s);

	s = many_points(LM_GEO_LINE_MAX + 1, &len);
	lm_error_init(&err);
	assert_int_equal(lm_geo_line_from_wkt(s, len, &pts, &n, &err), LM_EINVAL);
	assert_null(pts);
	assert_non_null(strstr(err.msg, "100000"));
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_check_ranges),   cmocka_unit_test(test_distances),
	    cmocka_unit_test(test_line_length),    cmocka_unit_test(test_wkt_write),
	    cmocka_unit_test(test_wkt_round_trip), cmocka_unit_test(test_wkt_tolerant),
	    cmocka_unit_test(test_wkt_garbage),    cmocka_unit_test(test_wkt_point_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
