#include "util/time.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

lm_time_ms lm_time_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (lm_time_ms)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Howard Hinnant's days_from_civil: exact for the whole int range of years. */
int64_t lm_days_from_civil(int y, unsigned m, unsigned d)
{
	int64_t yy = (int64_t)y - (m <= 2);
	int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
	unsigned yoe = (unsigned)(yy - era * 400);
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + (int64_t)doe - 719468;
}

void lm_civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
	int64_t era, yy;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	yy = (int64_t)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)(yy + (*m <= 2));
}

int lm_days_in_month(int y, unsigned m)
{
	static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	if (m < 1 || m > 12)
		return 0;
	return dm[m - 1] + (m == 2 && leap);
}

static int64_t floordiv(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

void lm_time_format(lm_time_ms t, char out[LM_TIME_STRLEN])
{
	int64_t days = floordiv(t, 86400000);
	int64_t rem = t - days * 86400000;
	int y;
	unsigned m, d;
	int ms = (int)(rem % 1000), sec = (int)(rem / 1000);

	lm_civil_from_days(days, &y, &m, &d);
	if (ms)
		snprintf(out, LM_TIME_STRLEN, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", y, m, d,
		         sec / 3600, sec / 60 % 60, sec % 60, ms);
	else
		snprintf(out, LM_TIME_STRLEN, "%04d-%02u-%02uT%02d:%02d:%02dZ", y, m, d, sec / 3600,
		         sec / 60 % 60, sec % 60);
}

/* Read exactly n decimal digits at *p; advances only on success. */
static int digits(const char **p, const char *end, int n, int *out)
{
	int v = 0;

	if (end - *p < n)
		return -1;
	for (int i = 0; i < n; i++) {
		char c = (*p)[i];
		if (c < '0' || c > '9')
			return -1;
		v = v * 10 + (c - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

static int lit(const char **p, const char *end, char c)
{
	if (*p >= end || **p != c)
		return -1;
	(*p)++;
	return 0;
}

int lm_time_parse(const char *s, size_t len, int allow_date, lm_time_ms *out, const char *field,
                  struct lm_error *err)
{
	const char *p = s, *end = s + len;
	int y, mo, d, h = 0, mi = 0, sec = 0, ms = 0, oh = 0, om = 0, sign = 0;
	int64_t t;

	if (digits(&p, end, 4, &y) || lit(&p, end, '-') || digits(&p, end, 2, &mo) ||
	    lit(&p, end, '-') || digits(&p, end, 2, &d))
		goto bad;
	if (mo < 1 || mo > 12 || d < 1 || d > lm_days_in_month(y, (unsigned)mo))
		return lm_error_set(err, LM_EINVAL, field, "%.*s is not a calendar date",
		                    (int)(len > 10 ? 10 : len), s);
	if (p == end) {
		if (!allow_date)
			return lm_error_set(
			    err, LM_EINVAL, field,
			    "a time and zone are required, e.g. 2026-04-05T08:00:00Z");
		goto done;
	}
	if ((*p != 'T' && *p != 't' && *p != ' ') || (++p, digits(&p, end, 2, &h)) ||
	    lit(&p, end, ':') || digits(&p, end, 2, &mi))
		goto bad;
	if (p < end && *p == ':') {
		p++;
		if (digits(&p, end, 2, &sec))
			goto bad;
		if (p < end && *p == '.') {
			int scale = 100, n = 0;
			p++;
			while (p < end && *p >= '0' && *p <= '9' && n < 9) {
				ms += (*p - '0') * scale;
				scale /= 10;
				p++;
				n++;
			}
			if (n == 0)
				goto bad;
		}
	}
	if (h > 23 || mi > 59 || sec > 59)
		return lm_error_set(err, LM_EINVAL, field, "time of day out of range");
	if (p < end && (*p == 'Z' || *p == 'z')) {
		p++;
	} else if (p < end && (*p == '+' || *p == '-')) {
		sign = *p == '-' ? -1 : 1;
		p++;
		if (digits(&p, end, 2, &oh) || lit(&p, end, ':') || digits(&p, end, 2, &om) ||
		    oh > 23 || om > 59)
			goto bad;
	} else {
		return lm_error_set(err, LM_EINVAL, field,
		                    "a zone is required: end the time with Z or +HH:MM");
	}
	if (p != end)
		goto bad;
done:
	t = lm_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + sec;
	t -= sign * (oh * 3600 + om * 60);
	*out = t * 1000 + ms;
	return 0;
bad:
	return lm_error_set(err, LM_EINVAL, field,
	                    "not an ISO 8601 time (expected e.g. 2026-04-05T08:00:00Z)");
}
