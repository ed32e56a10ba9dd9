#include "core/hours.h"
#include "core/core_int.h"

#include <stdio.h>
#include <string.h>

#define DAY_MIN   1440u
#define WEEK_MIN  (7u * DAY_MIN)
#define SPAN_TEXT 11 /* "HH:MM-HH:MM" */

static const char *const day_names[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

const char *lm_hours_day_name(unsigned d)
{
	return d < 7 ? day_names[d] : NULL;
}

int lm_hours_day_parse(const char *s, size_t len)
{
	if (len != 3)
		return -1;
	for (int d = 0; d < 7; d++)
		if (memcmp(s, day_names[d], 3) == 0)
			return d;
	return -1;
}

void lm_hours_init_always(struct lm_hours *h)
{
	memset(h, 0, sizeof(*h));
	h->always = 1;
}

/* Minutes the span lasts; a close at or before open runs into the next day. */
static unsigned span_len(struct lm_hours_span sp)
{
	return sp.close > sp.open ? (unsigned)(sp.close - sp.open)
	                          : DAY_MIN - sp.open + (unsigned)sp.close;
}

/*
 * Spans as arcs on the circle of the week's minutes: [start, start + len)
 * modulo WEEK_MIN. Every span is shorter than a day, so two arcs overlap
 * exactly when one starts inside the other. This one test covers spans of
 * the same day, a span past midnight against the next morning, and Sunday
 * night running into Monday.
 */
static int arcs_overlap(unsigned da, struct lm_hours_span a, unsigned db, struct lm_hours_span b)
{
	unsigned sa = da * DAY_MIN + a.open, sb = db * DAY_MIN + b.open;

	return (sb + WEEK_MIN - sa) % WEEK_MIN < span_len(a) ||
	       (sa + WEEK_MIN - sb) % WEEK_MIN < span_len(b);
}

/* "HH:MM" text of minute m (0..1440) into p[0..5). */
static void put_hhmm(char *p, unsigned m)
{
	unsigned hh = m / 60, mm = m % 60;

	p[0] = (char)('0' + hh / 10 % 10);
	p[1] = (char)('0' + hh % 10);
	p[2] = ':';
	p[3] = (char)('0' + mm / 10);
	p[4] = (char)('0' + mm % 10);
}

static void span_text(struct lm_hours_span sp, char out[12])
{
	put_hhmm(out, sp.open);
	out[5] = '-';
	/* 0 and 1440 both mean "until midnight"; the text always says 24:00. */
	put_hhmm(out + 6, sp.close == 0 ? DAY_MIN : sp.close);
	out[11] = '\0';
}

void lm_hours_span_text(const struct lm_hours *h, unsigned d, unsigned i, char out[12])
{
	if (d >= 7 || i >= h->n[d])
		LM_BUG("lm_hours_span_text: no such span");
	span_text(h->span[d][i], out);
}

/* The span, if any, that `sp` on day d would overlap; returns 1 and sets *od, *oi. */
static int find_overlap(const struct lm_hours *h, unsigned d, struct lm_hours_span sp, unsigned *od,
                        unsigned *oi)
{
	for (unsigned e = 0; e < 7; e++)
		for (unsigned i = 0; i < h->n[e] && i < LM_HOURS_SPANS; i++)
			if (arcs_overlap(d, sp, e, h->span[e][i])) {
				*od = e;
				*oi = i;
				return 1;
			}
	return 0;
}

static int overlap_error(const struct lm_hours *h, unsigned d, struct lm_hours_span sp, unsigned od,
                         unsigned oi, const char *field, long offset, struct lm_error *err)
{
	char a[12], b[12];

	span_text(sp, a);
	span_text(h->span[od][oi], b);
	if (od == d)
		return lm__error_at(err, LM_EINVAL, field, offset, "%s overlaps %s on %s", a, b,
		                    day_names[d]);
	if (od == (d + 1) % 7 && sp.close <= sp.open)
		return lm__error_at(err, LM_EINVAL, field, offset,
		                    "%s on %s runs past midnight into %s %s", a, day_names[d],
		                    day_names[od], b);
	return lm__error_at(err, LM_EINVAL, field, offset,
	                    "%s on %s overlaps %s %s, which runs past midnight", a, day_names[d],
	                    day_names[od], b);
}

/* Exactly two decimal digits at s[0..2). */
static int two_digits(const char *s, unsigned *out)
{
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
		return -1;
	*out = (unsigned)(s[0] - '0') * 10 + (unsigned)(s[1] - '0');
	return 0;
}

/* "HH:MM" at s[0..5) into minutes; `is_close` admits "24:00". */
static int parse_hhmm(const char *s, int is_close, unsigned *out, const char *field, long offset,
                      struct lm_error *err)
{
	unsigned hh, mm;

	if (two_digits(s, &hh) || s[2] != ':' || two_digits(s + 3, &mm))
		return lm__error_at(
		    err, LM_EINVAL, field, offset,
		    "expected a span like 08:00-20:00 (HH:MM-HH:MM, 24-hour clock)");
	if (hh == 24 && mm == 0 && is_close) {
		*out = DAY_MIN;
		return 0;
	}
	if (hh == 24 && mm == 0)
		return lm__error_at(err, LM_EINVAL, field, offset, "24:00 can only close a span");
	if (hh > 23 || mm > 59)
		return lm__error_at(err, LM_EINVAL, field, offset,
		                    "%.5s is not a time of day (00:00 to 23:59, or 24:00 to close)",
		                    s);
	*out = hh * 60 + mm;
	return 0;
}

/* lm_hours_add_span() with an offset for errors (-1 when the text stands alone). */
static int add_span(struct lm_hours *h, unsigned day, const char *s, size_t len, const char *field,
                    long offset, struct lm_error *err)
{
	struct lm_hours_span sp;
	unsigned open, close, od, oi, i;

	if (day >= 7)
		LM_BUG("lm_hours_add_span: day out of range");
	if (len != SPAN_TEXT || s[5] != '-')
		return lm__error_at(
		    err, LM_EINVAL, field, offset,
		    "expected a span like 08:00-20:00 (HH:MM-HH:MM, 24-hour clock)");
	if (parse_hhmm(s, 0, &open, field, offset, err) ||
	    parse_hhmm(s + 6, 1, &close, field, offset < 0 ? -1 : offset + 6, err))
		return LM_EINVAL;
	/* Checked before 00:00 becomes 24:00, so "00:00-00:00" is refused like "08:00-08:00". */
	if (open == close)
		return lm__error_at(err, LM_EINVAL, field, offset,
		                    "%.11s opens and closes at the same time; use 00:00-24:00 for "
		                    "the whole day",
		                    s);
	if (close == 0)
		close = DAY_MIN;
	sp.open = (uint16_t)open;
	sp.close = (uint16_t)close;
	if (h->always)
		memset(h, 0, sizeof(*h));
	if (h->n[day] >= LM_HOURS_SPANS)
		return lm__error_at(err, LM_EINVAL, field, offset,
		                    "at most %d spans per day; %s already has %d", LM_HOURS_SPANS,
		                    day_names[day], LM_HOURS_SPANS);
	if (find_overlap(h, day, sp, &od, &oi))
		return overlap_error(h, day, sp, od, oi, field, offset, err);
	for (i = h->n[day]; i > 0 && h->span[day][i - 1].open > sp.open; i--)
		h->span[day][i] = h->span[day][i - 1];
	h->span[day][i] = sp;
	h->n[day]++;
	return 0;
}

int lm_hours_add_span(struct lm_hours *h, unsigned day, const char *s, size_t len,
                      const char *field, struct lm_error *err)
{
	/* add_span() clears an always-open week before it knows the span is good. */
	struct lm_hours save;
	int rc;

	memcpy(&save, h, sizeof(save));
	rc = add_span(h, day, s, len, field, -1, err);
	if (rc)
		memcpy(h, &save, sizeof(save));
	return rc;
}

int lm_hours_check(const struct lm_hours *h, struct lm_error *err)
{
	char f[48];
	unsigned total = 0;

	for (unsigned d = 0; d < 7; d++) {
		if (h->n[d] > LM_HOURS_SPANS) {
			snprintf(f, sizeof(f), "opening_hours/%s", day_names[d]);
			return lm__error_at(err, LM_EINVAL, f, -1, "at most %d spans per day",
			                    LM_HOURS_SPANS);
		}
		total += h->n[d];
	}
	if (h->always)
		return total ? lm__error_at(err, LM_EINVAL, "opening_hours", -1,
		                            "a week open 24/7 cannot also list spans")
		             : 0;
	if (!total)
		return lm__error_at(
		    err, LM_EINVAL, "opening_hours", -1,
		    "no day has opening hours: leave the hours out for a point open "
		    "24/7, or record a closure as a status change");
	for (unsigned d = 0; d < 7; d++) {
		for (unsigned i = 0; i < h->n[d]; i++) {
			struct lm_hours_span sp = h->span[d][i];

			snprintf(f, sizeof(f), "opening_hours/%s/%u", day_names[d], i);
			if (sp.open >= DAY_MIN || sp.close > DAY_MIN || sp.open == sp.close)
				return lm__error_at(err, LM_EINVAL, f, -1,
				                    "open %u / close %u minutes is not a span",
				                    sp.open, sp.close);
			if (i > 0 && h->span[d][i - 1].open >= sp.open)
				return lm__error_at(
				    err, LM_EINVAL, f, -1,
				    "spans of a day must be sorted by opening time");
			/* Compare each pair once: later spans of this day, then later days. */
			for (unsigned e = d; e < 7; e++)
				for (unsigned j = e == d ? i + 1 : 0; j < h->n[e]; j++)
					if (arcs_overlap(d, sp, e, h->span[e][j]))
						return overlap_error(h, d, sp, e, j, f, -1, err);
		}
	}
	return 0;
}

int lm_hours_format(const struct lm_hours *h, struct lm_buf *out)
{
	/* 7 x ("mon=" + 4 x 11 + 3 "," + ";"), see hours.h. */
	char text[7 * (4 + LM_HOURS_SPANS * (SPAN_TEXT + 1)) + 1];
	size_t n = 0;

	if (lm_hours_check(h, NULL))
		return LM_EINVAL;
	if (h->always)
		return 0;
	for (unsigned d = 0; d < 7; d++) {
		if (!h->n[d])
			continue;
		if (n)
			text[n++] = ';';
		memcpy(text + n, day_names[d], 3);
		text[n + 3] = '=';
		n += 4;
		for (unsigned i = 0; i < h->n[d]; i++) {
			if (i)
				text[n++] = ',';
			span_text(h->span[d][i], text + n);
			n += SPAN_TEXT;
		}
	}
	return lm_buf_add(out, text, n);
}

int lm_hours_parse(const char *s, size_t len, struct lm_hours *out, struct lm_error *err)
{
	size_t p = 0;
	unsigned seen = 0;

	lm_hours_init_always(out);
	if (len == 0)
		return 0;
	out->always = 0;
	for (;;) {
		char f[48];
		int d;

		if (len - p < 4 || s[p + 3] != '=' || (d = lm_hours_day_parse(s + p, 3)) < 0)
			return lm__error_at(err, LM_EINVAL, "opening_hours", (long)p,
			                    "expected a day like mon= (mon, tue, ... sun)");
		if (seen & (1u << d))
			return lm__error_at(err, LM_EINVAL, "opening_hours", (long)p,
			                    "%s appears twice", day_names[d]);
		seen |= 1u << d;
		p += 4;
		for (unsigned i = 0;; i++) {
			size_t end = p;

			while (end < len && s[end] != ',' && s[end] != ';')
				end++;
			snprintf(f, sizeof(f), "opening_hours/%s/%u", day_names[d], i);
			if (add_span(out, (unsigned)d, s + p, end - p, f, (long)p, err))
				return LM_EINVAL;
			p = end;
			if (p == len || s[p] == ';')
				break;
			p++;
		}
		if (p == len)
			break;
		p++;
	}
	return lm_hours_check(out, err);
}

int lm_hours_open_at_week_minute(const struct lm_hours *h, unsigned m)
{
	unsigned d, t, prev;

	if (h->always)
		return 1;
	if (m >= WEEK_MIN)
		return 0;
	d = m / DAY_MIN;
	t = m % DAY_MIN;
	prev = (d + 6) % 7;
	for (unsigned i = 0; i < h->n[d] && i < LM_HOURS_SPANS; i++) {
		struct lm_hours_span sp = h->span[d][i];
		unsigned end = sp.close > sp.open ? sp.close : DAY_MIN;

		if (t >= sp.open && t < end)
			return 1;
	}
	for (unsigned i = 0; i < h->n[prev] && i < LM_HOURS_SPANS; i++) {
		struct lm_hours_span sp = h->span[prev][i];

		if (sp.close < sp.open && t < sp.close)
			return 1;
	}
	return 0;
}

int lm_hours_open_at(const struct lm_hours *h, const struct lm_local *l)
{
	if (l->weekday >= 7 || l->minute_of_day >= DAY_MIN)
		return 0;
	return lm_hours_open_at_week_minute(h, l->weekday * DAY_MIN + l->minute_of_day);
}
