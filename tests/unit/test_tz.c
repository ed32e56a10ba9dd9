#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/tz.h"
#include "testdata.h"

static lm_time_ms at(const char *iso)
{
	lm_time_ms t = 0;

	assert_int_equal(lm_time_parse(iso, strlen(iso), 0, &t, "t", NULL), 0);
	return t;
}

static void test_valid(void **state)
{
	static const char *const good[] = {
	    "Asia/Yangon",  "Asia/Rangoon",     "Asia/Shanghai",
	    "Asia/Kolkata", "Europe/Berlin",    "Europe/Kiev",
	    "Europe/Kyiv",  "America/New_York", "UTC",
	    "Etc/UTC",      "Etc/GMT+8",        "EST",
	    "PRC",          "US/Pacific",       "America/Argentina/ComodRivadavia",
	};
	static const char *const bad[] = {
	    "",
	    "Mars/Base",
	    "UTC+8",
	    "GMT+8",
	    "GMT+08:00",
	    "+08:00",
	    "asia/shanghai",
	    "ASIA/SHANGHAI",
	    "Asia/Shanghai ",
	    " Asia/Shanghai",
	    "Asia/",
	    "Asia",
	    "/",
	    "Etc/Unknown",
	    "Asia//Shanghai",
	    "IST",
	    "PST",
	    "CST",
	    "SystemV/EST5",
	    "Factory",
	    "Asia/Yang\xc3\xb6n",
	    "Asia/Shanghai\n",
	    "../../etc/passwd",
	};
	char longid[LM_TZ_ID_MAX + 2];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!lm_tz_valid(good[i]))
			fail_msg("%s should be a valid zone", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (lm_tz_valid(bad[i]))
			fail_msg("\"%s\" should not be a valid zone", bad[i]);
	assert_false(lm_tz_valid(NULL));
	memset(longid, 'A', sizeof(longid) - 1);
	longid[sizeof(longid) - 1] = '\0';
	assert_false(lm_tz_valid(longid));
}

static void one_local(int line, char **f, int nf, void *ctx)
{
	struct lm_local l;
	struct lm_error err;
	char date[48], hm[32];
	int *n = ctx;

	if (nf != 6)
		fail_msg("tz_local.tsv line %d: %d fields", line, nf);
	lm_error_init(&err);
	if (lm_tz_local(f[0], at(f[1]), &l, &err))
		fail_msg("tz_local.tsv line %d: %s: %s", line, err.field, err.msg);
	snprintf(date, sizeof(date), "%04d-%02u-%02u", l.year, l.month, l.day);
	snprintf(hm, sizeof(hm), "%02u:%02u", l.minute_of_day / 60, l.minute_of_day % 60);
	if (strcmp(date, f[2]) || l.weekday != (unsigned)strtol(f[3], NULL, 10) ||
	    strcmp(hm, f[4]) || l.offset_min != (int)strtol(f[5], NULL, 10))
		fail_msg("tz_local.tsv line %d: %s %s: got %s wd %u %s %+d", line, f[0], f[1], date,
		         l.weekday, hm, l.offset_min);
	(*n)++;
}

static void test_local_table(void **state)
{
	int n = 0;

	assert_true(lm_test_table("core/tz_local.tsv", one_local, &n) >= 20);
	assert_true(n >= 20);
}

/* Every local noon over two years is one day and one weekday after the previous one. */
static void test_days_advance(void **state)
{
	lm_time_ms t = at("2027-12-31T05:30:00Z"); /* noon in Yangon */
	struct lm_local prev, l;

	assert_int_equal(lm_tz_local("Asia/Yangon", t, &prev, NULL), 0);
	for (int i = 0; i < 731; i++) {
		t += 86400000;
		assert_int_equal(lm_tz_local("Asia/Yangon", t, &l, NULL), 0);
		assert_int_equal(l.minute_of_day, 12 * 60);
		assert_int_equal(l.weekday, (prev.weekday + 1) % 7);
		assert_int_equal(lm_days_from_civil(l.year, l.month, l.day),
		                 lm_days_from_civil(prev.year, prev.month, prev.day) + 1);
		prev = l;
	}
}

static void test_local_errors(void **state)
{
	struct lm_local l = {.year = 1234};
	struct lm_error err;

	lm_error_init(&err);
	assert_int_equal(lm_tz_local("Mars/Base", 0, &l, &err), LM_EINVAL);
	assert_string_equal(err.field, "tz");
	assert_int_equal(l.year, 1234);
	lm_error_init(&err);
	assert_int_equal(lm_tz_local(NULL, 0, &l, &err), LM_EINVAL);
	assert_string_equal(err.field, "tz");
	lm_error_init(&err);
	assert_int_equal(lm_tz_local("UTC", LM_TIME_NONE, &l, &err), LM_EINVAL);
	assert_string_equal(err.field, "time");
	assert_int_equal(lm_tz_local("UTC", INT64_MAX, &l, &err), LM_EINVAL);
	assert_int_equal(lm_tz_local("UTC", at("0001-01-01T00:00:00Z") - 1, &l, &err), LM_EINVAL);
	assert_int_equal(l.year, 1234);
	assert_int_equal(lm_tz_local("UTC", at("0001-01-01T00:00:00Z"), &l, &err), 0);
	assert_int_equal(l.year, 1);
	assert_int_equal(lm_tz_local("UTC", at("9999-12-31T23:59:59Z"), &l, &err), 0);
	assert_int_equal(l.year, 9999);
	assert_int_equal(l.minute_of_day, 1439);
}

static void test_next_transition(void **state)
{
	lm_time_ms tr = 0;
	struct lm_error err;

	assert_int_equal(
	    lm_tz_next_transition("Europe/Berlin", at("2026-01-01T00:00:00Z"), &tr, NULL), 0);
	assert_true(tr == at("2026-03-29T01:00:00Z"));
	assert_int_equal(lm_tz_next_transition("Europe/Berlin", tr, &tr, NULL), 0);
	assert_true(tr == at("2026-10-25T01:00:00Z"));
	assert_int_equal(
	    lm_tz_next_transition("Asia/Shanghai", at("2026-01-01T00:00:00Z"), &tr, NULL), 0);
	assert_true(tr == LM_TIME_NONE);
	assert_int_equal(
	    lm_tz_next_transition("Asia/Yangon", at("2026-01-01T00:00:00Z"), &tr, NULL), 0);
	assert_true(tr == LM_TIME_NONE);
	/* Before 1991 China still had clock changes. */
	assert_int_equal(
	    lm_tz_next_transition("Asia/Shanghai", at("1988-01-01T00:00:00Z"), &tr, NULL), 0);
	assert_true(tr == at("1988-04-16T18:00:00Z"));
	lm_error_init(&err);
	assert_int_equal(lm_tz_next_transition("UTC+8", 0, &tr, &err), LM_EINVAL);
	assert_string_equal(err.field, "tz");
}

/* Many HTTP threads ask at once; each must get its own zone's answer. */
struct worker {
	const char *zone;
	int offset_min;
	int wrong;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	lm_time_ms t = 1788000000000LL;

	for (int i = 0; i < 300; i++) {
		struct lm_local l;

		if (lm_tz_local(w->zone, t + (lm_time_ms)i * 3600000, &l, NULL) ||
		    l.offset_min != w->offset_min || !lm_tz_valid(w->zone))
			w->wrong++;
	}
	return NULL;
}

static void test_threads(void **state)
{
	struct worker w[8];
	pthread_t th[8];

	for (int i = 0; i < 8; i++) {
		w[i].zone = i % 2 ? "Asia/Yangon" : "Asia/Shanghai";
		w[i].offset_min = i % 2 ? 390 : 480;
		w[i].wrong = 0;
		assert_int_equal(pthread_create(&th[i], NULL, work, &w[i]), 0);
	}
	for (int i = 0; i < 8; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(w[i].wrong, 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_valid),           cmocka_unit_test(test_local_table),
	    cmocka_unit_test(test_days_advance),    cmocka_unit_test(test_local_errors),
	    cmocka_unit_test(test_next_transition), cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
