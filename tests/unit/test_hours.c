#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/hours.h"
#include "testdata.h"

#define WEEK (7 * 1440)

static void parse_ok(const char *s, struct lm_hours *h)
{
	struct lm_error err;

	lm_error_init(&err);
	if (lm_hours_parse(s, strlen(s), h, &err))
		fail_msg("\"%s\": %s: %s", s, err.field, err.msg);
}

static void one_case(int line, char **f, int nf, void *ctx)
{
	struct lm_hours h, h2;
	struct lm_error err;
	struct lm_buf b = LM_BUF_INIT;
	int *n = ctx;
	int rc;

	lm_error_init(&err);
	rc = lm_hours_parse(f[1], strlen(f[1]), &h, &err);
	if (strcmp(f[0], "ok") == 0 && nf == 3) {
		if (rc)
			fail_msg("hours.tsv line %d: \"%s\" refused: %s: %s", line, f[1], err.field,
			         err.msg);
		if (lm_hours_check(&h, NULL) || lm_hours_format(&h, &b) || strcmp(b.ptr, f[2]))
			fail_msg("hours.tsv line %d: formatted as \"%s\"", line, b.ptr);
		/* The canonical text parses to the very same week. */
		parse_ok(f[2], &h2);
		if (memcmp(&h, &h2, sizeof(h)) != 0)
			fail_msg("hours.tsv line %d: canonical text parses differently", line);
	} else if (strcmp(f[0], "err") == 0 && nf == 4) {
		if (rc != LM_EINVAL || err.code != LM_EINVAL)
			fail_msg("hours.tsv line %d: \"%s\" accepted", line, f[1]);
		if (strcmp(err.field, f[2]) || err.offset != strtol(f[3], NULL, 10) || !err.msg[0])
			fail_msg("hours.tsv line %d: got %s @%ld (%s)", line, err.field, err.offset,
			         err.msg);
	} else {
		fail_msg("hours.tsv line %d: bad case", line);
	}
	lm_buf_release(&b);
	(*n)++;
}

static void test_table(void **state)
{
	int n = 0;

	assert_true(lm_test_table("core/hours.tsv", one_case, &n) >= 50);
	assert_true(n >= 50);
}

static void test_always(void **state)
{
	struct lm_hours h;
	struct lm_buf b = LM_BUF_INIT;
	struct lm_local l = {0};

	lm_hours_init_always(&h);
	assert_int_equal(h.always, 1);
	assert_int_equal(lm_hours_check(&h, NULL), 0);
	assert_int_equal(lm_buf_puts(&b, "x"), 0);
	assert_int_equal(lm_hours_format(&h, &b), 0);
	assert_string_equal(b.ptr, "x");
	lm_buf_release(&b);
	for (unsigned m = 0; m < WEEK; m += 7) {
		l.weekday = m / 1440;
		l.minute_of_day = m % 1440;
		assert_int_equal(lm_hours_open_at(&h, &l), 1);
	}
	parse_ok("", &h);
	assert_int_equal(h.always, 1);
}

static void test_add_span(void **state)
{
	struct lm_hours h, before;
	struct lm_error err;

	lm_hours_init_always(&h);
	/* A refused first span leaves the week open 24/7. */
	assert_int_equal(lm_hours_add_span(&h, 0, "08:00-08:00", 11, "opening_hours/mon/0", &err),
	                 LM_EINVAL);
	assert_string_equal(err.field, "opening_hours/mon/0");
	assert_int_equal(h.always, 1);

	assert_int_equal(lm_hours_add_span(&h, 0, "22:00-06:00", 11, "f", &err), 0);
	assert_int_equal(h.always, 0);
	assert_int_equal(h.n[0], 1);
	assert_int_equal(h.span[0][0].open, 22 * 60);
	assert_int_equal(h.span[0][0].close, 6 * 60);

	/* The overnight span from Monday overlaps Tuesday morning. */
	before = h;
	lm_error_init(&err);
	assert_int_equal(lm_hours_add_span(&h, 1, "05:30-09:00", 11, "opening_hours/tue/0", &err),
	                 LM_EINVAL);
	assert_string_equal(err.field, "opening_hours/tue/0");
	assert_int_equal(err.offset, -1);
	assert_non_null(strstr(err.msg, "past midnight"));
	assert_memory_equal(&h, &before, sizeof(h));

	/* And a new overnight span may not run into the next morning's span. */
	assert_int_equal(lm_hours_add_span(&h, 2, "08:00-12:00", 11, "w", &err), 0);
	assert_int_equal(lm_hours_add_span(&h, 1, "20:00-08:01", 11, "t", &err), LM_EINVAL);
	assert_string_equal(err.field, "t");
	assert_int_equal(lm_hours_add_span(&h, 1, "20:00-08:00", 11, "t", &err), 0);

	/* Spans stay sorted by opening time whatever the order they come in. */
	assert_int_equal(lm_hours_add_span(&h, 3, "13:00-18:00", 11, "a", &err), 0);
	assert_int_equal(lm_hours_add_span(&h, 3, "08:00-12:00", 11, "b", &err), 0);
	assert_int_equal(lm_hours_add_span(&h, 3, "06:00-07:00", 11, "c", &err), 0);
	assert_int_equal(h.span[3][0].open, 6 * 60);
	assert_int_equal(h.span[3][1].open, 8 * 60);
	assert_int_equal(h.span[3][2].open, 13 * 60);
	assert_int_equal(lm_hours_add_span(&h, 3, "19:00-20:00", 11, "d", &err), 0);
	assert_int_equal(lm_hours_add_span(&h, 3, "21:00-22:00", 11, "e", &err), LM_EINVAL);
	assert_non_null(strstr(err.msg, "at most 4"));
	assert_int_equal(lm_hours_check(&h, NULL), 0);

	/* Bad text, with its length honoured (no NUL needed, nothing read past len). */
	assert_int_equal(lm_hours_add_span(&h, 4, "08:00-20:00", 10, "x", &err), LM_EINVAL);
	assert_int_equal(lm_hours_add_span(&h, 4, "08:00-20:00xyz", 11, "x", &err), 0);
	assert_int_equal(lm_hours_add_span(&h, 5, "", 0, "x", &err), LM_EINVAL);
	assert_int_equal(lm_hours_add_span(&h, 5, "08:00+20:00", 11, "x", &err), LM_EINVAL);
	assert_int_equal(lm_hours_add_span(&h, 5, "24:00-24:00", 11, "x", &err), LM_EINVAL);
}

static void test_check(void **state)
{
	struct lm_hours h;
	struct lm_error err;

	memset(&h, 0, sizeof(h));
	lm_error_init(&err);
	assert_int_equal(lm_hours_check(&h, &err), LM_EINVAL);
	assert_string_equal(err.field, "opening_hours");

	h.always = 1;
	h.n[2] = 1;
	h.span[2][0].open = 60;
	h.span[2][0].close = 120;
	assert_int_equal(lm_hours_check(&h, &err), LM_EINVAL);
	h.always = 0;
	assert_int_equal(lm_hours_check(&h, &err), 0);

	h.n[2] = LM_HOURS_SPANS + 1;
	assert_int_equal(lm_hours_check(&h, &err), LM_EINVAL);
	assert_string_equal(err.field, "opening_hours/wed");
	h.n[2] = 1;

	h.span[2][0].close = 1441;
	assert_int_equal(lm_hours_check(&h, &err), LM_EINVAL);
	assert_string_equal(err.field, "opening_hours/wed/0");
	h.span[2][0].close = 60;
	assert_int_equal(lm_hours_check(&h, &err), LM_EINVAL);
	h.span[2][0].open = 1440;
	h.span[2][0].close = 1000;
	assert_int_equal(lm_hours_check(&h, &err), LM_EINVAL);
	h.span[2][0].open = 60;
	h.span[2][0].close = 0; /* midnight spelled 0: allowed, formatted as 24:00 */
	assert_int_equal(lm_hours_check(&h, &err), 0);

	/* Unsorted. */
	h.n[2] = 2;
	h.span[2][0] = (struct lm_hours_span){600, 700};
	h.span[2][1] = (struct lm_hours_span){100, 200};
	assert_int_equal(lm_hours_check(&h, &err), LM_EINVAL);
	assert_string_equal(err.field, "opening_hours/wed/1");

	/* Sunday night running into Monday morning: the week wraps. */
	memset(&h, 0, sizeof(h));
	h.n[6] = 1;
	h.span[6][0] = (struct lm_hours_span){23 * 60, 2 * 60};
	h.n[0] = 1;
	h.span[0][0] = (struct lm_hours_span){60, 3 * 60};
	lm_error_init(&err);
	assert_int_equal(lm_hours_check(&h, &err), LM_EINVAL);
	assert_string_equal(err.field, "opening_hours/mon/0");
	assert_non_null(strstr(err.msg, "sun"));
	h.span[0][0].open = 2 * 60;
	assert_int_equal(lm_hours_check(&h, &err), 0);
}

static void test_format_refuses_bad_week(void **state)
{
	struct lm_hours h;
	struct lm_buf b = LM_BUF_INIT;

	memset(&h, 0, sizeof(h));
	assert_int_equal(lm_buf_puts(&b, "keep"), 0);
	assert_int_equal(lm_hours_format(&h, &b), LM_EINVAL);
	assert_string_equal(b.ptr, "keep");
	lm_buf_release(&b);
	lm_buf_init(&b, 10);
	parse_ok("mon=08:00-20:00;tue=08:00-20:00", &h);
	assert_int_equal(lm_hours_format(&h, &b), LM_ETOOBIG);
	assert_int_equal(b.len, 0);
	lm_buf_release(&b);
}

static void test_names_and_span_text(void **state)
{
	static const char *const days[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
	struct lm_hours h;
	char t[12];

	for (unsigned d = 0; d < 7; d++) {
		assert_string_equal(lm_hours_day_name(d), days[d]);
		assert_int_equal(lm_hours_day_parse(days[d], 3), (int)d);
	}
	assert_null(lm_hours_day_name(7));
	assert_int_equal(lm_hours_day_parse("Mon", 3), -1);
	assert_int_equal(lm_hours_day_parse("mond", 4), -1);
	assert_int_equal(lm_hours_day_parse("mo", 2), -1);

	parse_ok("tue=08:00-12:00,13:30-24:00;sun=22:15-06:45", &h);
	lm_hours_span_text(&h, 1, 0, t);
	assert_string_equal(t, "08:00-12:00");
	lm_hours_span_text(&h, 1, 1, t);
	assert_string_equal(t, "13:30-24:00");
	lm_hours_span_text(&h, 6, 0, t);
	assert_string_equal(t, "22:15-06:45");
}

static int open_at(const struct lm_hours *h, unsigned day, unsigned hh, unsigned mm)
{
	struct lm_local l = {.weekday = day, .minute_of_day = hh * 60 + mm};

	return lm_hours_open_at(h, &l);
}

static void test_open_at(void **state)
{
	struct lm_hours h;

	parse_ok("mon=08:00-12:00,13:00-18:00;fri=22:00-06:00;sat=20:00-24:00;sun=23:00-01:00", &h);
	assert_false(open_at(&h, 0, 7, 59));
	assert_true(open_at(&h, 0, 8, 0));
	assert_true(open_at(&h, 0, 11, 59));
	assert_false(open_at(&h, 0, 12, 0));
	assert_false(open_at(&h, 0, 12, 59));
	assert_true(open_at(&h, 0, 13, 0));
	assert_true(open_at(&h, 0, 17, 59));
	assert_false(open_at(&h, 0, 18, 0));
	assert_false(open_at(&h, 1, 10, 0));
	/* Friday night runs into Saturday morning. */
	assert_false(open_at(&h, 4, 21, 59));
	assert_true(open_at(&h, 4, 22, 0));
	assert_true(open_at(&h, 4, 23, 59));
	assert_true(open_at(&h, 5, 0, 0));
	assert_true(open_at(&h, 5, 5, 59));
	assert_false(open_at(&h, 5, 6, 0));
	/* "24:00" ends the day: nothing spills into Sunday. */
	assert_true(open_at(&h, 5, 23, 59));
	assert_false(open_at(&h, 6, 0, 0));
	/* Sunday night runs into Monday. */
	assert_false(open_at(&h, 6, 22, 59));
	assert_true(open_at(&h, 6, 23, 0));
	assert_true(open_at(&h, 0, 0, 0));
	assert_true(open_at(&h, 0, 0, 59));
	assert_false(open_at(&h, 0, 1, 0));
	/* Out-of-range local times are never open. */
	assert_false(open_at(&h, 7, 10, 0));
	assert_false(open_at(&h, 0, 24, 0));
}

/* Brute force: paint every span minute by minute and compare with lm_hours_open_at. */
static void check_against_paint(const struct lm_hours *h)
{
	unsigned char painted[WEEK] = {0};

	for (unsigned d = 0; d < 7; d++)
		for (unsigned i = 0; i < h->n[d]; i++) {
			unsigned o = h->span[d][i].open, c = h->span[d][i].close;
			unsigned len = c > o ? c - o : 1440 - o + c;

			for (unsigned k = 0; k < len; k++)
				painted[(d * 1440 + o + k) % WEEK] = 1;
		}
	for (unsigned m = 0; m < WEEK; m++)
		if (lm_hours_open_at_week_minute(h, m) != painted[m])
			fail_msg("minute %u of the week: open_at %d, painted %d", m,
			         lm_hours_open_at_week_minute(h, m), painted[m]);
}

static uint32_t rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/*
 * Random weeks from random spans: whatever add_span accepts must pass check,
 * format and parse back to the same week, and agree with the painted minutes.
 */
static void test_random_weeks(void **state)
{
	uint32_t seed = 20260405;

	for (int w = 0; w < 300; w++) {
		struct lm_hours h, back;
		struct lm_buf b = LM_BUF_INIT;
		int tries = (int)(rnd(&seed) % 20) + 1;

		lm_hours_init_always(&h);
		for (int k = 0; k < tries; k++) {
			char s[64];
			unsigned o = rnd(&seed) % 1440, c = rnd(&seed) % 1441;

			/* Round to quarter hours half the time, to make touching spans likely. */
			if (rnd(&seed) % 2)
				o -= o % 15, c -= c % 15;
			snprintf(s, sizeof(s), "%02u:%02u-%02u:%02u", o / 60, o % 60, c / 60,
			         c % 60);
			(void)lm_hours_add_span(&h, rnd(&seed) % 7, s, 11, "x", NULL);
		}
		if (h.always)
			continue;
		assert_int_equal(lm_hours_check(&h, NULL), 0);
		check_against_paint(&h);
		assert_int_equal(lm_hours_format(&h, &b), 0);
		parse_ok(b.ptr, &back);
		assert_memory_equal(&h, &back, sizeof(h));
		lm_buf_release(&b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_table),
	    cmocka_unit_test(test_always),
	    cmocka_unit_test(test_add_span),
	    cmocka_unit_test(test_check),
	    cmocka_unit_test(test_format_refuses_bad_week),
	    cmocka_unit_test(test_names_and_span_text),
	    cmocka_unit_test(test_open_at),
	    cmocka_unit_test(test_random_weeks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
