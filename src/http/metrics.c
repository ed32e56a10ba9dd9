/*
 * metrics.c - Prometheus text exposition: requests by route and status, a
 * latency histogram per route, and database errors. Counters are atomics in
 * fixed arrays, so recording a request never takes a lock.
 */
#include "http/http_int.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#define ROUTES_MAX 64
static const int statuses[] = {200, 201, 204, 400, 401, 403, 404, 405, 409,
                               412, 413, 415, 422, 428, 429, 500, 503};
#define NSTATUS (sizeof(statuses) / sizeof(statuses[0]))
/* Seconds; the p99 goals are 10-15 ms, so the buckets are dense there. */
static const double buckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.015,
                                 0.025,  0.05,  0.1,    0.25,  0.5,  1.0};
#define NBUCKETS (sizeof(buckets) / sizeof(buckets[0]))

static atomic_ulong requests[ROUTES_MAX][NSTATUS + 1]; /* last column: any other status */
static atomic_ulong hist[ROUTES_MAX][NBUCKETS + 1];    /* last column: +Inf */
static atomic_ullong sum_us[ROUTES_MAX];

void lm_metrics_init(void)
{
	if (lm__route_slots() > ROUTES_MAX)
		LM_BUG("more routes than metric slots");
}

void lm_metrics_observe(size_t slot, int status, double seconds)
{
	size_t s = NSTATUS, b = NBUCKETS;

	if (slot >= ROUTES_MAX)
		return;
	for (size_t i = 0; i < NSTATUS; i++)
		if (statuses[i] == status)
			s = i;
	for (size_t i = 0; i < NBUCKETS; i++)
		if (seconds <= buckets[i]) {
			b = i;
			break;
		}
	atomic_fetch_add_explicit(&requests[slot][s], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&hist[slot][b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&sum_us[slot], (unsigned long long)(seconds * 1e6),
	                          memory_order_relaxed);
}

int lm_metrics_render(struct lm_app *app, struct lm_buf *out)
{
	size_t nslots = lm__route_slots();
	int rc = 0;

	rc |=
	    lm_buf_puts(out, "# HELP limes_http_requests_total HTTP requests by route and status.\n"
	                     "# TYPE limes_http_requests_total counter\n");
	for (size_t r = 0; r < nslots; r++)
		for (size_t s = 0; s <= NSTATUS; s++) {
			unsigned long n = atomic_load(&requests[r][s]);
			if (!n)
				continue;
			if (s < NSTATUS)
				rc |= lm_buf_printf(
				    out,
				    "limes_http_requests_total{route=\"%s\",status=\"%d\"} %lu\n",
				    lm__route_name(r), statuses[s], n);
			else
				rc |= lm_buf_printf(out,
				                    "limes_http_requests_total{route=\"%s\",status="
				                    "\"other\"} %lu\n",
				                    lm__route_name(r), n);
		}
	rc |=
	    lm_buf_puts(out, "# HELP limes_http_request_duration_seconds Time from the first byte "
	                     "of a request to its response.\n"
	                     "# TYPE limes_http_request_duration_seconds histogram\n");
	for (size_t r = 0; r < nslots; r++) {
		unsigned long cum = 0;
		const char *name = lm__route_name(r);
		for (size_t b = 0; b <= NBUCKETS; b++)
			cum += atomic_load(&hist[r][b]);
		if (!cum)
			continue;
		cum = 0;
		for (size_t b = 0; b < NBUCKETS; b++) {
			cum += atomic_load(&hist[r][b]);
			rc |= lm_buf_printf(out,
			                    "limes_http_request_duration_seconds_bucket{route=\"%"
			                    "s\",le=\"%g\"} %lu\n",
			                    name, buckets[b], cum);
		}
		cum += atomic_load(&hist[r][NBUCKETS]);
		rc |= lm_buf_printf(
		    out,
		    "limes_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %lu\n"
		    "limes_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n"
		    "limes_http_request_duration_seconds_count{route=\"%s\"} %lu\n",
		    name, cum, name, (double)atomic_load(&sum_us[r]) / 1e6, name, cum);
	}
	{
		struct lm_app_write_stats ws;
		lm_app_write_stats(app, &ws);
		rc |= lm_buf_printf(
		    out,
		    "# HELP limes_db_commits_total Transactions committed by the group-commit "
		    "writer.\n"
		    "# TYPE limes_db_commits_total counter\nlimes_db_commits_total %lu\n"
		    "# HELP limes_db_writes_total Audited writes committed (writes per commit = "
		    "writes / commits).\n"
		    "# TYPE limes_db_writes_total counter\nlimes_db_writes_total %lu\n"
		    "# HELP limes_db_writes_failed_total Writes answered with an error.\n"
		    "# TYPE limes_db_writes_failed_total counter\nlimes_db_writes_failed_total "
		    "%lu\n"
		    "# HELP limes_db_write_queue Writes waiting for the writer now.\n"
		    "# TYPE limes_db_write_queue gauge\nlimes_db_write_queue %lu\n",
		    ws.commits, ws.writes, ws.failed, ws.queued_now);
	}
	rc |= lm_buf_printf(out,
	                    "# HELP limes_db_errors_total Hard database errors since start.\n"
	                    "# TYPE limes_db_errors_total counter\nlimes_db_errors_total %lu\n",
	                    lm_app_db_errors(app));
	return rc ? LM_ENOMEM : 0;
}
