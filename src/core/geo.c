#include "core/geo.h"
#include "core/core_int.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PI 3.14159265358979323846
/* Longest coordinate token; "-179.1234567890123456789" fits, anything longer is no coordinate. */
#define NUM_MAX 24

int lm_geo_check(double lon, double lat, const char *field, struct lm_error *err)
{
	char f[sizeof(err->field)];
	const char *sep = field && *field ? "/" : "";

	if (!field)
		field = "";
	/* Written as negated ranges so that NaN, which fails every comparison, is rejected too. */
	if (!(lon >= -180.0 && lon <= 180.0)) {
		snprintf(f, sizeof(f), "%s%slon", field, sep);
		return lm__error_at(err, LM_EINVAL, f, -1,
		                    "longitude must be a number in [-180, 180]");
	}
	if (!(lat >= -90.0 && lat <= 90.0)) {
		snprintf(f, sizeof(f), "%s%slat", field, sep);
		return lm__error_at(err, LM_EINVAL, f, -1,
		                    "latitude must be a number in [-90, 90]");
	}
	return 0;
}

double lm_geo_distance_m(struct lm_point a, struct lm_point b)
{
	const double rad = PI / 180.0;
	double p1 = a.lat * rad, p2 = b.lat * rad;
	double dp = (b.lat - a.lat) * rad, dl = (b.lon - a.lon) * rad;
	double h = sin(dp / 2) * sin(dp / 2) + cos(p1) * cos(p2) * sin(dl / 2) * sin(dl / 2);

	/* Rounding can push h a hair outside [0, 1] for (near-)antipodal points. */
	if (h > 1.0)
		h = 1.0;
	if (h < 0.0)
		h = 0.0;
	return 2.0 * LM_GEO_EARTH_RADIUS_M * atan2(sqrt(h), sqrt(1.0 - h));
}

double lm_geo_line_length_m(const struct lm_point *pts, size_t n)
{
	double sum = 0.0;

	for (size_t i = 1; i < n; i++)
		sum += lm_geo_distance_m(pts[i - 1], pts[i]);
	return sum;
}

/*
 * One coordinate with 7 decimals. Values within 0.5e-7 below zero print as
 * "-0.0000000", a correct but second spelling of 0: storage text should have
 * one form per value, so the sign goes.
 */
static void coord(double v, char out[32])
{
	snprintf(out, 32, "%.7f", v);
	if (strcmp(out, "-0.0000000") == 0)
		memmove(out, out + 1, strlen(out));
}

int lm_geo_line_to_wkt(const struct lm_point *pts, size_t n, struct lm_buf *out)
{
	size_t old = out->len;
	int rc;

	if (n < 2 || n > LM_GEO_LINE_MAX)
		return LM_EINVAL;
	for (size_t i = 0; i < n; i++)
		if (lm_geo_check(pts[i].lon, pts[i].lat, NULL, NULL))
			return LM_EINVAL;
	rc = lm_buf_puts(out, "LINESTRING(");
	for (size_t i = 0; i < n && !rc; i++) {
		char lon[32], lat[32];

		coord(pts[i].lon, lon);
		coord(pts[i].lat, lat);
		rc = lm_buf_printf(out, "%s%s %s", i ? ", " : "", lon, lat);
	}
	if (!rc)
		rc = lm_buf_putc(out, ')');
	if (rc) {
		out->len = old;
		out->ptr[old] = '\0';
	}
	return rc;
}

/* A parse cursor over s[0..len): `pos` only moves past what was accepted. */
struct cur {
	const char *s;
	size_t len, pos;
	struct lm_error *err;
};

static int fail(struct cur *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct cur *c, const char *fmt, ...)
{
	char msg[sizeof(c->err->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return lm__error_at(c->err, LM_EINVAL, "wkt", (long)c->pos, "%s", msg);
}

static int is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' || ch == '\f';
}

/* Skips white space; returns how much was skipped. */
static size_t skip_ws(struct cur *c)
{
	size_t start = c->pos;

	while (c->pos < c->len && is_space(c->s[c->pos]))
		c->pos++;
	return c->pos - start;
}

static int peek(const struct cur *c, char ch)
{
	return c->pos < c->len && c->s[c->pos] == ch;
}

static int expect(struct cur *c, char ch)
{
	if (!peek(c, ch))
		return fail(c, "expected '%c'", ch);
	c->pos++;
	return 0;
}

static int keyword(struct cur *c, const char *kw)
{
	size_t n = strlen(kw);

	if (c->len - c->pos < n)
		return fail(c, "expected %s", kw);
	for (size_t i = 0; i < n; i++) {
		char ch = c->s[c->pos + i];
		if (ch >= 'a' && ch <= 'z')
			ch = (char)(ch - 'a' + 'A');
		if (ch != kw[i])
			return fail(c, "expected %s", kw);
	}
	c->pos += n;
	return 0;
}

/*
 * A plain decimal "[+-]D+[.D+]". Converted as an integer mantissa over a power
 * of ten, both exact in a double for the digit counts allowed here, so the
 * result is correctly rounded without strtod() and its dependence on the
 * process locale's decimal separator.
 */
static int number(struct cur *c, double *out)
{
	static const double p10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
	                             1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
	                             1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
	size_t p = c->pos, start = c->pos;
	int neg = 0, sig = 0;
	unsigned frac = 0, ndig = 0;
	uint64_t mant = 0;
	double v;

	if (p < c->len && (c->s[p] == '-' || c->s[p] == '+'))
		neg = c->s[p++] == '-';
	for (int in_frac = 0;; p++) {
		char ch = p < c->len ? c->s[p] : '\0';
		if (ch == '.' && !in_frac && ndig > 0) {
			in_frac = 1;
			continue;
		}
		if (ch < '0' || ch > '9') {
			if (in_frac && frac == 0)
				return fail(c, "expected digits after '.'");
			break;
		}
		if (p - start >= NUM_MAX)
			return fail(c, "coordinate longer than %d characters", NUM_MAX);
		/* 19 significant digits always fit a uint64_t; no coordinate needs more. */
		if (sig || ch != '0') {
			if (++sig > 19)
				return fail(c, "coordinate has too many digits");
		}
		mant = mant * 10 + (uint64_t)(ch - '0');
		ndig++;
		frac += in_frac;
	}
	if (ndig == 0)
		return fail(c, "expected a coordinate");
	v = (double)mant / p10[frac];
	*out = neg ? -v : v;
	c->pos = p;
	return 0;
}

static int point(struct cur *c, size_t i, struct lm_point *pt)
{
	size_t at = c->pos;

	if (number(c, &pt->lon))
		return LM_EINVAL;
	if (!skip_ws(c))
		return fail(c, "expected white space between longitude and latitude");
	if (number(c, &pt->lat))
		return LM_EINVAL;
	if (lm_geo_check(pt->lon, pt->lat, NULL, NULL)) {
		c->pos = at;
		return fail(c, "point %zu (%.7f %.7f) is not a valid position", i, pt->lon,
		            pt->lat);
	}
	return 0;
}

int lm_geo_line_from_wkt(const char *s, size_t len, struct lm_point **pts, size_t *n,
                         struct lm_error *err)
{
	struct cur c = {s, len, 0, err};
	struct lm_point *v = NULL, *grown;
	size_t cnt = 0, cap = 0;
	int rc;

	*pts = NULL;
	*n = 0;
	skip_ws(&c);
	if ((rc = keyword(&c, "LINESTRING")))
		goto out;
	skip_ws(&c);
	if ((rc = expect(&c, '(')))
		goto out;
	for (;;) {
		if (cnt == LM_GEO_LINE_MAX) {
			rc = fail(&c, "more than %d points", LM_GEO_LINE_MAX);
			goto out;
		}
		if (cnt == cap) {
			cap = cap ? cap * 2 : 16;
			if (cap > LM_GEO_LINE_MAX)
				cap = LM_GEO_LINE_MAX;
			grown = realloc(v, cap * sizeof(*v));
			if (!grown) {
				rc = lm__error_at(err, LM_ENOMEM, "wkt", -1, "out of memory");
				goto out;
			}
			v = grown;
		}
		skip_ws(&c);
		if ((rc = point(&c, cnt, &v[cnt])))
			goto out;
		cnt++;
		skip_ws(&c);
		if (peek(&c, ')'))
			break;
		if ((rc = expect(&c, ',')))
			goto out;
	}
	c.pos++;
	skip_ws(&c);
	if (c.pos != c.len) {
		rc = fail(&c, "unexpected text after the closing ')'");
		goto out;
	}
	if (cnt < 2) {
		rc = fail(&c, "a line needs at least 2 points");
		goto out;
	}
	*pts = v;
	*n = cnt;
	v = NULL;
out:
	free(v);
	return rc;
}
