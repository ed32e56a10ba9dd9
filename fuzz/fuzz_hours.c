/*
 * fuzz_hours.c - libFuzzer target for the core parsers of stored text:
 * opening hours (core/hours) and border lines as WKT (core/geo). Both read
 * text that came over the API or out of a database another post wrote.
 *
 * Beyond "no crash, no leak, no undefined behaviour", each input checks the
 * round trip: whatever parses must format to text that parses back to the
 * same value and formats to the same text. A broken property aborts, so
 * libFuzzer keeps the input as a crasher.
 *
 * Build: clang -fsanitize=fuzzer,address,undefined, linked with lm_core and
 * lm_util (ICU, libm). Seeds: fuzz/corpus/hours/.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/geo.h"
#include "core/hours.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void hours_round_trip(const char *s, size_t len)
{
	struct lm_hours h, back;
	struct lm_buf a = LM_BUF_INIT, b = LM_BUF_INIT;
	struct lm_error err;

	lm_error_init(&err);
	if (lm_hours_parse(s, len, &h, &err)) {
		if (err.code != LM_EINVAL || err.field[0] == '\0')
			abort();
		return;
	}
	if (lm_hours_check(&h, NULL) || lm_hours_format(&h, &a) ||
	    lm_hours_parse(a.ptr, a.len, &back, NULL) || memcmp(&h, &back, sizeof(h)) ||
	    lm_hours_format(&back, &b) || strcmp(a.ptr, b.ptr))
		abort();
	lm_buf_release(&a);
	lm_buf_release(&b);
}

static void wkt_round_trip(const char *s, size_t len)
{
	struct lm_point *p = NULL, *q = NULL;
	struct lm_buf a = LM_BUF_INIT, b = LM_BUF_INIT;
	struct lm_error err;
	size_t n = 0, m = 0;

	lm_error_init(&err);
	if (lm_geo_line_from_wkt(s, len, &p, &n, &err)) {
		if (p || n || (err.code != LM_EINVAL && err.code != LM_ENOMEM))
			abort();
		return;
	}
	if (n < 2 || lm_geo_line_to_wkt(p, n, &a) ||
	    lm_geo_line_from_wkt(a.ptr, a.len, &q, &m, NULL) || m != n)
		abort();
	/* Writing rounds to 7 decimals; reading back is then exact to the text. */
	for (size_t i = 0; i < n; i++)
		if (fabs(p[i].lon - q[i].lon) > 0.6e-7 || fabs(p[i].lat - q[i].lat) > 0.6e-7)
			abort();
	if (lm_geo_line_to_wkt(q, m, &b) || strcmp(a.ptr, b.ptr))
		abort();
	if (!(lm_geo_line_length_m(p, n) >= 0.0))
		abort();
	free(p);
	free(q);
	lm_buf_release(&a);
	lm_buf_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The parsers take (pointer, length) and must not read past it: no NUL is added. */
	hours_round_trip((const char *)data, size);
	wkt_round_trip((const char *)data, size);
	return 0;
}
