/*
 * writer.c - every audited write goes through one writer thread that commits
 * many of them together (group commit).
 *
 * A commit at synchronous=FULL costs an fsync, which this kind of machine
 * does a few thousand times a second; one transaction per request tops out
 * there, and writers queueing for the lock push p99 up. So callers of
 * lm__write() enqueue a job and wait; the writer takes every queued job (up
 * to LM__BATCH_MAX), runs them one after another in one transaction, commits
 * once, and wakes each. A job's effect, its audit event and its idempotency
 * record are in that transaction, so they land together or not at all.
 *
 * A job that fails is rare (input is validated before it is queued), so
 * rather than pay for a savepoint per job (SQLite copies every page a
 * savepoint touches), the writer rolls the whole batch back, answers the
 * failed job with its error, and runs the rest again.
 *
 * Job states:
 *	queued   lm__write() appended it to q_head..q_tail         (lm__write)
 *	running  the writer took it into a batch                   (writer_main)
 *	failed   it failed in this attempt: answered, left out of the next one
 *	done     its batch committed (or failed for good); rc and out are set,
 *	         and its semaphore posted                          (run_batch)
 * A transient store error rolls the whole batch back and runs it again
 * (bounded); jobs are re-runnable because they compute everything in fn.
 */
#include "app/app_int.h"

#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bounds one transaction: large enough to absorb a burst from every connection. */
#define LM__BATCH_MAX     256
#define LM__BATCH_RETRIES 8

struct lm__job {
	const struct lm_actor *a;
	const struct lm__write *w;
	struct lm_created *out;
	struct lm_error *err;
	int rc;
	int failed; /* answered with rc; not run again in this batch */
	sem_t done; /* posted once rc and out are final */
	struct lm__job *next;
};

static int idem_check(struct lm_app *app, struct lm_conn *c, const struct lm__job *j)
{
	struct lm_idem prev;
	enum lm_qs qs = lm_store_idem_get(c, j->a->user_id, j->w->idem->key, &prev);
	int rc = lm__qs(app, c, qs, "idempotency key", j->err);

	if (rc || qs == LM_QS_NONE)
		return rc;
	if (strcmp(prev.request_hash, j->w->idem->request_hash) != 0)
		return lm_error_set(j->err, LM_ECONFLICT, "Idempotency-Key",
		                    "this key was already used for a different request");
	snprintf(j->out->id, sizeof(j->out->id), "%s", prev.object_id);
	j->out->status = prev.status;
	j->out->replayed = 1;
	return 0;
}

/* The job's whole effect, inside the current savepoint. */
static int job_body(struct lm_app *app, struct lm_conn *c, struct lm__job *j)
{
	const struct lm__write *w = j->w;
	int has_key = w->idem && w->idem->key && w->idem->key[0];
	struct lm_audit ev;
	struct lm_idem rec;
	int rc;

	if (has_key && ((rc = idem_check(app, c, j)) || j->out->replayed))
		return rc;
	if ((rc = w->fn(app, c, w->arg, j->out->id, sizeof(j->out->id), j->err)))
		return rc;
	j->out->status = 201;
	lm__audit_fill(&ev, j->a, w->action, w->object_type, j->out->id, 200);
	if ((rc = lm__qs(app, c, lm_store_audit_append(c, &ev), "audit event", j->err)))
		return rc;
	if (!has_key)
		return 0;
	memset(&rec, 0, sizeof(rec));
	if ((rc = lm__copy(rec.key, sizeof(rec.key), w->idem->key, "Idempotency-Key", j->err)))
		return rc;
	snprintf(rec.user_id, sizeof(rec.user_id), "%s", j->a->user_id);
	snprintf(rec.request_hash, sizeof(rec.request_hash), "%s", w->idem->request_hash);
	snprintf(rec.object_type, sizeof(rec.object_type), "%s", w->object_type);
	snprintf(rec.object_id, sizeof(rec.object_id), "%s", j->out->id);
	rec.status = j->out->status;
	rec.created_at = ev.at;
	return lm__qs(app, c, lm_store_idem_insert(c, &rec), "idempotency record", j->err);
}

static void job_reset(struct lm__job *j)
{
	memset(j->out, 0, sizeof(*j->out));
	lm_error_init(j->err);
	j->rc = 0;
}

/*
 * One attempt at the jobs not yet failed. Returns 0 when committed; LM_EBUSY
 * for "rolled back, run the batch again"; BATCH_JOB_FAILED when one job
 * failed (it is marked and answered, the rest must run again); a negative
 * LM_E code when the whole batch failed for good.
 */
#define BATCH_JOB_FAILED 1

static int batch_once(struct lm_app *app, struct lm_conn *c, struct lm__job **jobs, size_t n)
{
	struct lm_error err;
	int rc;

	lm_error_init(&err);
	if ((rc = lm__qs(app, c, lm_store_begin(c), "transaction", &err)))
		goto fail_all;
	for (size_t i = 0; i < n; i++) {
		struct lm__job *j = jobs[i];
		if (j->failed)
			continue;
		job_reset(j);
		j->rc = job_body(app, c, j);
		if (j->rc == LM_EBUSY) {
			rc = LM_EBUSY;
			lm_store_rollback(c);
			return rc;
		}
		if (j->rc) {
			j->failed = 1;
			lm_store_rollback(c);
			return BATCH_JOB_FAILED;
		}
	}
	if ((rc = lm__qs(app, c, lm_store_commit(c), "transaction", &err))) {
		lm_store_rollback(c);
		goto fail_all;
	}
	return 0;
fail_all:
	for (size_t i = 0; i < n; i++) {
		if (jobs[i]->failed)
			continue;
		jobs[i]->rc = rc;
		*jobs[i]->err = err;
	}
	return rc;
}

static void run_batch(struct lm_app *app, struct lm__job **jobs, size_t n)
{
	int rc = LM_EBUSY;
	int busy_retries = 0;

	/* Each BATCH_JOB_FAILED removes one job, so this ends after at most n + retries rounds. */
	while (rc == LM_EBUSY || rc == BATCH_JOB_FAILED) {
		struct lm_conn *c;
		if (rc == LM_EBUSY && busy_retries++ == LM__BATCH_RETRIES)
			break;
		c = lm_store_acquire(app->st, LM_CONN_WRITE);
		rc = batch_once(app, c, jobs, n);
		lm_store_release(c);
	}
	for (size_t i = 0; i < n; i++)
		if (jobs[i]->rc)
			atomic_fetch_add(&app->n_failed, 1);
	if (rc)
		return;
	atomic_fetch_add(&app->n_commits, 1);
	/*
	 * lm__caches_sync() would notice this commit too, but only at its next look
	 * (at most once per millisecond): clearing here, before the submitters are
	 * woken, is what makes a GET right after the answer to a PATCH see it.
	 */
	for (size_t i = 0; i < n; i++) {
		unsigned inv = jobs[i]->failed ? 0 : jobs[i]->w->invalidates;
		if (!jobs[i]->failed)
			atomic_fetch_add(&app->n_writes, 1);
		if (inv & LM__INV_SESSIONS)
			lm_cache_clear(app->sessions);
		if (inv & LM__INV_POINTS)
			lm_cache_clear(app->points);
	}
}

/*
 * Idempotency records and expired sessions would grow without end: the
 * writer deletes old ones when it starts and then after every
 * LM__PURGE_EVERY writes, in its own short transaction between batches (no
 * timer: a quiet server has nothing to purge). Best effort: a failure is
 * counted in the DB errors and tried again next time.
 */
#define LM__PURGE_EVERY 4096
/* Expired sessions are kept a day for anyone looking into a recent logout. */
#define LM__SESSION_GRACE (86400LL * 1000)

static void purge_expired(struct lm_app *app)
{
	lm_time_ms now = lm_time_now();
	struct lm_error err;
	int rc = LM_EBUSY;

	lm_error_init(&err);
	for (int attempt = 0; attempt < LM__BATCH_RETRIES && rc == LM_EBUSY; attempt++) {
		struct lm_conn *c = lm_store_acquire(app->st, LM_CONN_WRITE);
		rc = lm__qs(app, c, lm_store_begin(c), "transaction", &err);
		if (!rc)
			rc = lm__qs(app, c,
			            lm_store_purge_expired(c, now - app->cfg.idem_ttl,
			                                   now - LM__SESSION_GRACE),
			            "expired records", &err);
		if (!rc)
			rc = lm__qs(app, c, lm_store_commit(c), "transaction", &err);
		if (rc)
			lm_store_rollback(c);
		lm_store_release(c);
	}
}

static void *writer_main(void *arg)
{
	struct lm_app *app = arg;
	struct lm__job *batch[LM__BATCH_MAX];
	size_t since_purge = 0;

	purge_expired(app);
	for (;;) {
		size_t n = 0;
		pthread_mutex_lock(&app->q_lock);
		while (!app->q_head && !app->q_stop)
			pthread_cond_wait(&app->q_nonempty, &app->q_lock);
		if (!app->q_head) { /* stopping and nothing left */
			pthread_mutex_unlock(&app->q_lock);
			return NULL;
		}
		while (app->q_head && n < LM__BATCH_MAX) {
			batch[n++] = app->q_head;
			app->q_head = app->q_head->next;
		}
		atomic_fetch_sub(&app->n_queued, n);
		if (!app->q_head)
			app->q_tail = NULL;
		pthread_mutex_unlock(&app->q_lock);

		run_batch(app, batch, n);
		/* Wake exactly the submitters of this batch, nobody else. */
		for (size_t i = 0; i < n; i++)
			sem_post(&batch[i]->done);
		since_purge += n;
		if (since_purge >= LM__PURGE_EVERY) {
			since_purge = 0;
			purge_expired(app);
		}
	}
}

int lm__writer_start(struct lm_app *app)
{
	pthread_mutex_init(&app->q_lock, NULL);
	pthread_cond_init(&app->q_nonempty, NULL);
	app->q_head = app->q_tail = NULL;
	app->q_stop = 0;
	if (pthread_create(&app->writer, NULL, writer_main, app))
		return LM_ENOMEM;
	app->writer_running = 1;
	pthread_setname_np(app->writer, "lm-writer"); /* for top -H and perf */
	return 0;
}

void lm__writer_stop(struct lm_app *app)
{
	if (!app->writer_running)
		return;
	pthread_mutex_lock(&app->q_lock);
	app->q_stop = 1;
	pthread_cond_signal(&app->q_nonempty);
	pthread_mutex_unlock(&app->q_lock);
	pthread_join(app->writer, NULL);
	app->writer_running = 0;
	pthread_cond_destroy(&app->q_nonempty);
	pthread_mutex_destroy(&app->q_lock);
}

int lm__write(struct lm_app *app, const struct lm_actor *a, const struct lm__write *w,
              struct lm_created *out, struct lm_error *err)
{
	struct lm__job j = {a, w, out, err, 0, 0, {{0}}, NULL};

	sem_init(&j.done, 0, 0);
	pthread_mutex_lock(&app->q_lock);
	if (app->q_tail)
		app->q_tail->next = &j;
	else
		app->q_head = &j;
	app->q_tail = &j;
	atomic_fetch_add(&app->n_queued, 1);
	pthread_cond_signal(&app->q_nonempty);
	pthread_mutex_unlock(&app->q_lock);
	while (sem_wait(&j.done) != 0)
		; /* EINTR: keep waiting, the writer always posts */
	sem_destroy(&j.done);

	if (j.rc == LM_EFORBIDDEN) {
		/* A refusal found inside the transaction (an unassigned crossing point) is
		 * rolled back with it; record it on its own. */
		struct lm_error ignored;
		lm_error_init(&ignored);
		lm__audit_alone(app, a, w->action, w->object_type, out->id, 403, &ignored);
	}
	return j.rc;
}

void lm_app_write_stats(struct lm_app *app, struct lm_app_write_stats *out)
{
	out->commits = atomic_load(&app->n_commits);
	out->writes = atomic_load(&app->n_writes);
	out->failed = atomic_load(&app->n_failed);
	out->queued_now = atomic_load(&app->n_queued);
}
