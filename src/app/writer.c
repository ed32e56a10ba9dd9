/*
 * writer.c - every audited write goes through one writer thread that commits
 * many of them together (group commit).
 *
 * A commit at synchronous=FULL costs an fsync, which this kind of machine
 * does 6-7 thousand times a second; one transaction per request tops out
 * there, and writers queueing for the lock push p99 up. So callers of
 * lm__write() enqueue a job and wait; the writer takes every queued job (up
 * to LM__BATCH_MAX), runs each inside its own savepoint of one transaction,
 * commits once, and wakes them all. A job that fails rolls back to its
 * savepoint alone; the others still commit. Each job's effect, its audit
 * event and its idempotency record are in the same savepoint, so they land
 * together or not at all.
 *
 * Job states:
 *	queued   lm__write() appended it to q_head..q_tail        (lm__write)
 *	running  the writer took it into a batch                  (writer_main)
 *	done     its batch committed or failed; rc and out are set (run_batch)
 * A transient store error at BEGIN or COMMIT, or inside a job, rolls the
 * whole batch back and runs it again (bounded); jobs are re-runnable because
 * they compute everything inside their fn.
 */
#include "app/app_int.h"

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
	int done;
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

/* One attempt at the batch; LM_EBUSY means "roll back and run it again". */
static int batch_once(struct lm_app *app, struct lm_conn *c, struct lm__job **jobs, size_t n)
{
	struct lm_error err;
	int rc;

	lm_error_init(&err);
	if ((rc = lm__qs(app, c, lm_store_begin(c), "transaction", &err)))
		goto fail_all;
	for (size_t i = 0; i < n; i++) {
		struct lm__job *j = jobs[i];
		job_reset(j);
		if ((rc = lm__qs(app, c, lm_store_savepoint(c), "transaction", j->err)))
			goto rollback;
		j->rc = job_body(app, c, j);
		if (j->rc == LM_EBUSY) {
			rc = LM_EBUSY;
			goto rollback;
		}
		if (j->rc)
			lm_store_savepoint_rollback(c);
		if ((rc = lm__qs(app, c, lm_store_savepoint_release(c), "transaction", &err)))
			goto rollback;
	}
	if ((rc = lm__qs(app, c, lm_store_commit(c), "transaction", &err)))
		goto rollback;
	return 0;
rollback:
	lm_store_rollback(c);
fail_all:
	for (size_t i = 0; i < n; i++) {
		jobs[i]->rc = rc;
		*jobs[i]->err = err;
	}
	return rc;
}

static void run_batch(struct lm_app *app, struct lm__job **jobs, size_t n)
{
	int rc = LM_EBUSY;

	for (int attempt = 0; attempt < LM__BATCH_RETRIES && rc == LM_EBUSY; attempt++) {
		struct lm_conn *c = lm_store_acquire(app->st, LM_CONN_WRITE);
		rc = batch_once(app, c, jobs, n);
		lm_store_release(c);
	}
	if (rc)
		return;
	for (size_t i = 0; i < n; i++) {
		unsigned inv = jobs[i]->rc ? 0 : jobs[i]->w->invalidates;
		if (inv & LM__INV_SESSIONS)
			lm_cache_clear(app->sessions);
		if (inv & LM__INV_POINTS)
			lm_cache_clear(app->points);
	}
}

static void *writer_main(void *arg)
{
	struct lm_app *app = arg;
	struct lm__job *batch[LM__BATCH_MAX];

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
		if (!app->q_head)
			app->q_tail = NULL;
		pthread_mutex_unlock(&app->q_lock);

		run_batch(app, batch, n);

		pthread_mutex_lock(&app->q_lock);
		for (size_t i = 0; i < n; i++)
			batch[i]->done = 1;
		pthread_cond_broadcast(&app->q_done);
		pthread_mutex_unlock(&app->q_lock);
	}
}

int lm__writer_start(struct lm_app *app)
{
	pthread_mutex_init(&app->q_lock, NULL);
	pthread_cond_init(&app->q_nonempty, NULL);
	pthread_cond_init(&app->q_done, NULL);
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
	pthread_cond_destroy(&app->q_done);
	pthread_cond_destroy(&app->q_nonempty);
	pthread_mutex_destroy(&app->q_lock);
}

int lm__write(struct lm_app *app, const struct lm_actor *a, const struct lm__write *w,
              struct lm_created *out, struct lm_error *err)
{
	struct lm__job j = {a, w, out, err, 0, 0, NULL};

	pthread_mutex_lock(&app->q_lock);
	if (app->q_tail)
		app->q_tail->next = &j;
	else
		app->q_head = &j;
	app->q_tail = &j;
	pthread_cond_signal(&app->q_nonempty);
	while (!j.done)
		pthread_cond_wait(&app->q_done, &app->q_lock);
	pthread_mutex_unlock(&app->q_lock);

	if (j.rc == LM_EFORBIDDEN) {
		/* A refusal found inside the transaction (an unassigned crossing point) is
		 * rolled back with it; record it on its own. */
		struct lm_error ignored;
		lm_error_init(&ignored);
		lm__audit_alone(app, a, w->action, w->object_type, out->id, 403, &ignored);
	}
	return j.rc;
}
