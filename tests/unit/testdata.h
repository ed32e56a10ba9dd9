/*
 * testdata.h - table-driven cases for the unit tests.
 *
 * Tables live in tests/data/<module>/. CTest passes that directory as
 * LIMES_TEST_DATA; a test binary run by hand falls back to the copy beside
 * this header's source directory, so both ways read the same files.
 *
 * Format: one case per line, fields separated by '|', no trimming (white
 * space can be part of a case), '#' lines and empty lines ignored.
 *
 * USAGE:
 *	static void one(int line, char **f, int nf, void *ctx) { ... fail_msg("line %d", line); }
 *	assert_true(lm_test_table("core/hours.tsv", one, NULL) > 0);
 */
#ifndef LM_TEST_TESTDATA_H
#define LM_TEST_TESTDATA_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LM_TEST_FIELDS 8
#define LM_TEST_LINE   4096

typedef void lm_test_row_fn(int line, char **fields, int nf, void *ctx);

static inline FILE *lm_test_open(const char *rel)
{
	char path[1024];
	const char *dir = getenv("LIMES_TEST_DATA");

	if (dir && *dir) {
		snprintf(path, sizeof(path), "%s/%s", dir, rel);
	} else {
		const char *slash = strrchr(__FILE__, '/');
		int n = slash ? (int)(slash - __FILE__) : 1;
		snprintf(path, sizeof(path), "%.*s/../data/%s", n, slash ? __FILE__ : ".", rel);
	}
	return fopen(path, "r");
}

/* Calls fn for every case of a table; returns the number of cases, -1 when it cannot be read. */
static inline int lm_test_table(const char *rel, lm_test_row_fn *fn, void *ctx)
{
	char buf[LM_TEST_LINE];
	FILE *f = lm_test_open(rel);
	int line = 0, cases = 0;

	if (!f)
		return -1;
	while (fgets(buf, sizeof(buf), f)) {
		char *fields[LM_TEST_FIELDS], *p = buf;
		int nf = 0;
		size_t len = strlen(buf);

		line++;
		if (len && buf[len - 1] == '\n')
			buf[--len] = '\0';
		if (len == 0 || buf[0] == '#')
			continue;
		fields[nf++] = p;
		while ((p = strchr(p, '|')) && nf < LM_TEST_FIELDS) {
			*p++ = '\0';
			fields[nf++] = p;
		}
		fn(line, fields, nf, ctx);
		cases++;
	}
	fclose(f);
	return cases;
}

#endif
