/*
 * durable_loop.c - the baseline of the durable-write benchmark: the store
 * work of one `POST /api/v1/markers/{pillar}/inspections`, done in a tight
 * loop with no HTTP, no JSON and no authentication in between.
 *
 * Per row, the store calls of one inspection job in app/ (src/app/registry.c
 * inspection_fn, plus the audit event that src/app/writer.c appends), each
 * row committed on its own:
 *
 *	acquire the writer, BEGIN,
 *	lm_store_marker_get       (the marker by pillar, for its id and version)
 *	lm_store_inspection_insert
 *	lm_store_inspection_latest (when the marker was last inspected)
 *	lm_store_marker_set_condition (condition as found, compare-and-set on version)
 *	lm_store_audit_append     (who, what, when)
 *	COMMIT                    (synchronous=FULL: fsync of the WAL), release
 *
 * The pillars cycle over every marker in the database (the demo has 150),
 * like the wrk script does. The database is the store's own: WAL and
 * synchronous=FULL are set by the SQLite backend, so the durability is the
 * server's. This is the baseline the issue defines, "the same rows with the
 * same durability", one transaction per row: the server may do better than
 * it by committing many requests in one transaction (group commit), which a
 * loop of single-row transactions cannot.
 *
 * USAGE: durable_loop DB SECONDS
 *	DB must already hold the demo border (`limes init --db DB`).
 * Prints one line: "rows N seconds S rows_per_s R p50_ms A p99_ms B".
 * Exit status 0 on success, 1 on any store error (with a message on stderr).
 */
#include "store/store.h"
#include "util/time.h"
#include "util/uuid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The demo has 150 markers; room for a larger registry without reallocating. */
#define BENCH_PILLARS_MAX 4096
/* Per-row latencies kept for the percentiles: 10 s at 100k rows/s. */
#define BENCH_SAMPLES_MAX (1u << 20)

struct pillars {
	char name[BENCH_PILLARS_MAX][LM_CODE_MAX + 1];
	size_t n;
};

static int add_pillar(void *ctx, const struct lm_marker *m)
{
	struct pillars *p = ctx;

	if (p->n == BENCH_PILLARS_MAX)
		return 1;
	snprintf(p->name[p->n++], sizeof(p->name[0]), "%s", m->pillar);
	return 0;
}

static double mono_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* One row: the same calls, in the same order, as the HTTP write path. */
static enum lm_qs one_row(struct lm_conn *c, const char *pillar, const struct lm_user *who)
{
	struct lm_marker m;
	lm_time_ms latest;
	struct lm_inspection in;
	struct lm_audit ev;
	enum lm_qs qs;

	if ((qs = lm_store_begin(c)) < 0)
		return qs;
	if ((qs = lm_store_marker_get(c, pillar, &m)) != LM_QS_ONE)
		goto fail;
	if (lm_store_inspection_latest(c, m.id, &latest) < 0)
		goto fail;
	memset(&in, 0, sizeof(in));
	lm_uuid_v7(in.id);
	memcpy(in.marker_id, m.id, sizeof(in.marker_id));
	in.inspected_at = lm_time_now() - 3600 * 1000;
	snprintf(in.inspector_id, sizeof(in.inspector_id), "%s", who->id);
	in.condition = LM_MARKER_INTACT;
	snprintf(in.note, sizeof(in.note), "bench");
	in.created_at = lm_time_now();
	if ((qs = lm_store_inspection_insert(c, &in)) < 0)
		goto fail;
	if ((qs = lm_store_marker_set_condition(c, m.id, in.condition, in.created_at, m.version)) !=
	    LM_QS_ONE)
		goto fail;

	memset(&ev, 0, sizeof(ev));
	lm_uuid_v7(ev.id);
	ev.at = lm_time_now();
	snprintf(ev.user_id, sizeof(ev.user_id), "%s", who->id);
	snprintf(ev.username, sizeof(ev.username), "%s", who->username);
	ev.role = who->role;
	snprintf(ev.agency_id, sizeof(ev.agency_id), "%s", who->agency_id);
	snprintf(ev.action, sizeof(ev.action), "inspection.create");
	snprintf(ev.object_type, sizeof(ev.object_type), "inspection");
	snprintf(ev.object_id, sizeof(ev.object_id), "%s", in.id);
	snprintf(ev.ip, sizeof(ev.ip), "127.0.0.1");
	snprintf(ev.request_id, sizeof(ev.request_id), "%s", ev.id);
	ev.outcome = 200;
	if ((qs = lm_store_audit_append(c, &ev)) < 0)
		goto fail;
	if ((qs = lm_store_commit(c)) >= 0)
		return LM_QS_ONE;
fail:
	lm_store_rollback(c);
	return qs < 0 ? qs : LM_QS_HARD;
}

int main(int argc, char **argv)
{
	static struct pillars pl;
	char url[4096 + 8];
	struct lm_store *st = NULL;
	struct lm_conn *c;
	struct lm_error err;
	struct lm_user admin;
	double *lat = NULL, t0, t_end, secs, limit;
	size_t rows = 0, kept = 0;
	int from, to, rc = 1;

	if (argc != 3 || (limit = strtod(argv[2], NULL)) <= 0) {
		fprintf(stderr, "usage: durable_loop DB SECONDS\n");
		return 2;
	}
	if (lm_uuid_global_init()) {
		fprintf(stderr, "durable_loop: cannot initialise libsodium\n");
		return 1;
	}
	lm_error_init(&err);
	snprintf(url, sizeof(url), "sqlite:%s", argv[1]);
	if (lm_store_open(url, 0, &st, &err) || lm_store_migrate(st, &from, &to, &err)) {
		fprintf(stderr, "durable_loop: %s: %s\n", argv[1], err.msg);
		goto out;
	}
	c = lm_store_acquire(st, LM_CONN_READ);
	if (lm_store_marker_list(c, NULL, add_pillar, &pl) < 0 ||
	    lm_store_user_get(c, "admin", &admin) != LM_QS_ONE) {
		lm_store_release(c);
		fprintf(stderr, "durable_loop: %s has no demo markers or no admin\n", argv[1]);
		goto out;
	}
	lm_store_release(c);
	if (pl.n == 0) {
		fprintf(stderr, "durable_loop: %s has no markers; use `limes init`\n", argv[1]);
		goto out;
	}
	if (!(lat = malloc(BENCH_SAMPLES_MAX * sizeof(*lat)))) {
		fprintf(stderr, "durable_loop: out of memory\n");
		goto out;
	}

	t0 = mono_s();
	t_end = t0 + limit;
	for (double now = t0; now < t_end;) {
		double start = now;
		enum lm_qs qs;

		c = lm_store_acquire(st, LM_CONN_WRITE);
		qs = one_row(c, pl.name[rows % pl.n], &admin);
		if (qs < 0) {
			fprintf(stderr, "durable_loop: row %zu failed: %s\n", rows,
			        lm_store_errmsg(c));
			lm_store_release(c);
			goto out;
		}
		lm_store_release(c);
		rows++;
		now = mono_s();
		if (kept < BENCH_SAMPLES_MAX)
			lat[kept++] = (now - start) * 1000.0;
	}
	secs = mono_s() - t0;
	qsort(lat, kept, sizeof(*lat), cmp_double);
	printf("rows %zu seconds %.3f rows_per_s %.1f p50_ms %.3f p99_ms %.3f\n", rows, secs,
	       (double)rows / secs, lat[kept / 2], lat[kept * 99 / 100]);
	rc = 0;
out:
	free(lat);
	lm_store_free(st);
	return rc;
}
