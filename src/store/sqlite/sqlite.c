/*
 * sqlite.c - the SQLite backend: opening, the connection pool, transactions,
 * error mapping and the bind/read helpers the record files share. The
 * connection model is described in sqlite_int.h, the durability choice in
 * docs/storage.md.
 */
#include "store/sqlite/sqlite_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void sq_close(struct sq_conn *c);

struct sq_store *lm__sq_store(struct lm_store *st)
{
	if (st->ops != &lm__sqlite_ops)
		LM_BUG("not an sqlite store");
	return (struct sq_store *)st;
}

struct sq_conn *lm__sq_conn(struct lm_conn *c)
{
	if (c->st->ops != &lm__sqlite_ops)
		LM_BUG("not an sqlite connection");
	return (struct sq_conn *)c;
}

/* ---- errors ------------------------------------------------------------ */

enum lm_qs lm__sq_error(struct sq_conn *c, int rc)
{
	int primary = rc & 0xff;

	snprintf(c->errmsg, sizeof(c->errmsg), "%s",
	         c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
	c->last_rc = rc;
	/* A broken foreign key means "still referenced" only for a delete: that caller says so. */
	c->conflict = rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY
	                  ? LM_CONFLICT_UNIQUE
	                  : LM_CONFLICT_NONE;
	/* Busy / locked clear up when the other transaction ends: worth a retry. */
	if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
		return LM_QS_SOFT;
	return LM_QS_HARD;
}

enum lm_qs lm__sq_fail(struct sq_conn *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->errmsg, sizeof(c->errmsg), fmt, ap);
	va_end(ap);
	c->conflict = 0;
	return LM_QS_HARD;
}

/* ---- statements -------------------------------------------------------- */

sqlite3_stmt *lm__sq_stmt(struct sq_conn *c, enum sq_stmt_id id, const char *sql)
{
	int rc;

	if (c->stmt[id])
		return c->stmt[id];
	if (!c->db) {
		/* The open failed: errmsg still says why; keep it. */
		c->conflict = 0;
		return NULL;
	}
	rc = sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &c->stmt[id], NULL);
	if (rc != SQLITE_OK) {
		lm__sq_error(c, rc);
		sqlite3_finalize(c->stmt[id]);
		c->stmt[id] = NULL;
	}
	return c->stmt[id];
}

void lm__sq_done(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

enum lm_qs lm__sq_run(struct sq_conn *c, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	enum lm_qs qs;

	if (rc == SQLITE_DONE)
		qs = (enum lm_qs)sqlite3_changes(c->db);
	else if (rc == SQLITE_ROW)
		qs = lm__sq_fail(c, "statement returned rows where none were expected");
	else
		qs = lm__sq_error(c, sqlite3_extended_errcode(c->db));
	lm__sq_done(st);
	return qs;
}

enum lm_qs lm__sq_each(struct sq_conn *c, sqlite3_stmt *st, sq_row_fn fn, void *arg)
{
	int n = 0, rc = SQLITE_OK, stop = 0;
	enum lm_qs qs;

	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		stop = fn(c, st, arg);
		if (stop < 0)
			break;
		n++;
	}
	if (stop < 0)
		qs = LM_QS_HARD;
	else if (stop || rc == SQLITE_DONE)
		qs = (enum lm_qs)n;
	else
		qs = lm__sq_error(c, sqlite3_extended_errcode(c->db));
	lm__sq_done(st);
	return qs;
}

/* ---- binding ----------------------------------------------------------- */

void lm__sq_bind_start(struct sq_bind *b, struct sq_conn *c, sqlite3_stmt *st)
{
	b->c = c;
	b->st = st;
	b->i = 0;
	b->rc = SQLITE_OK;
	b->why = NULL;
}

static int bind_ok(struct sq_bind *b)
{
	b->i++;
	return b->rc == SQLITE_OK;
}

static void bind_text(struct sq_bind *b, const char *s, size_t cap, int empty_is_null)
{
	size_t len;

	if (!bind_ok(b))
		return;
	if (!s) {
		b->rc = sqlite3_bind_null(b->st, b->i);
		return;
	}
	len = strnlen(s, cap);
	if (len == cap) {
		b->rc = SQLITE_MISUSE;
		b->why = "a text field is not NUL-terminated";
		return;
	}
	if (empty_is_null && len == 0)
		b->rc = sqlite3_bind_null(b->st, b->i);
	else
		b->rc = sqlite3_bind_text(b->st, b->i, s, (int)len, SQLITE_STATIC);
}

void lm__sq_b_text(struct sq_bind *b, const char *s, size_t cap)
{
	bind_text(b, s, cap, 0);
}

void lm__sq_b_ref(struct sq_bind *b, const char *s, size_t cap)
{
	bind_text(b, s, cap, 1);
}

void lm__sq_b_int(struct sq_bind *b, int64_t v)
{
	if (bind_ok(b))
		b->rc = sqlite3_bind_int64(b->st, b->i, v);
}

void lm__sq_b_time(struct sq_bind *b, lm_time_ms t)
{
	if (!bind_ok(b))
		return;
	if (t == LM_TIME_NONE)
		b->rc = sqlite3_bind_null(b->st, b->i);
	else
		b->rc = sqlite3_bind_int64(b->st, b->i, t);
}

void lm__sq_b_double(struct sq_bind *b, double v)
{
	if (bind_ok(b))
		b->rc = sqlite3_bind_double(b->st, b->i, v);
}

void lm__sq_b_page(struct sq_bind *b, const struct lm_page *pg)
{
	lm__sq_b_text(b, pg ? pg->after : "", pg ? sizeof(pg->after) : 1);
	/* LIMIT -1 is SQLite for "no limit". */
	lm__sq_b_int(b, pg && pg->limit > 0 ? pg->limit : -1);
}

enum lm_qs lm__sq_bind_end(struct sq_bind *b)
{
	enum lm_qs qs;

	if (b->rc == SQLITE_OK)
		return LM_QS_NONE;
	if (b->why)
		qs = lm__sq_fail(b->c, "parameter %d: %s", b->i, b->why);
	else
		qs = lm__sq_error(b->c, b->rc);
	lm__sq_done(b->st);
	return qs;
}

enum lm_qs lm__sq_get(struct sq_conn *c, sqlite3_stmt *st, const char *key, sq_row_fn fn, void *arg)
{
	struct sq_bind b;
	enum lm_qs qs;

	if (!st)
		return LM_QS_HARD;
	lm__sq_bind_start(&b, c, st);
	lm__sq_b_text(&b, key, strlen(key) + 1);
	if ((qs = lm__sq_bind_end(&b)) < 0)
		return qs;
	return lm__sq_each(c, st, fn, arg);
}

enum lm_qs lm__sq_list(struct sq_conn *c, sqlite3_stmt *st, const struct lm_page *pg, sq_row_fn fn,
                       void *arg)
{
	struct sq_bind b;
	enum lm_qs qs;

	if (!st)
		return LM_QS_HARD;
	lm__sq_bind_start(&b, c, st);
	lm__sq_b_page(&b, pg);
	if ((qs = lm__sq_bind_end(&b)) < 0)
		return qs;
	return lm__sq_each(c, st, fn, arg);
}

enum lm_qs lm__sq_run_key(struct sq_conn *c, sqlite3_stmt *st, const char *key)
{
	struct sq_bind b;
	enum lm_qs qs;

	if (!st)
		return LM_QS_HARD;
	lm__sq_bind_start(&b, c, st);
	lm__sq_b_text(&b, key, strlen(key) + 1);
	if ((qs = lm__sq_bind_end(&b)) < 0)
		return qs;
	return lm__sq_run(c, st);
}

/* ---- reading rows ------------------------------------------------------ */

void lm__sq_row_start(struct sq_row *r, sqlite3_stmt *st)
{
	r->st = st;
	r->i = 0;
	r->bad = -1;
}

const char *lm__sq_r_borrow(struct sq_row *r, size_t *len)
{
	int i = r->i++;
	/* column_text before column_bytes: the length is of the UTF-8 form. */
	const char *s = (const char *)sqlite3_column_text(r->st, i);

	*len = s ? (size_t)sqlite3_column_bytes(r->st, i) : 0;
	return s ? s : "";
}

void lm__sq_r_text(struct sq_row *r, char *dst, size_t cap)
{
	size_t len;
	const char *s = lm__sq_r_borrow(r, &len);

	if (len >= cap) {
		if (r->bad < 0)
			r->bad = r->i - 1;
		dst[0] = '\0';
		return;
	}
	memcpy(dst, s, len);
	dst[len] = '\0';
}

int64_t lm__sq_r_int(struct sq_row *r)
{
	return sqlite3_column_int64(r->st, r->i++);
}

lm_time_ms lm__sq_r_time(struct sq_row *r)
{
	int i = r->i++;

	if (sqlite3_column_type(r->st, i) == SQLITE_NULL)
		return LM_TIME_NONE;
	return sqlite3_column_int64(r->st, i);
}

double lm__sq_r_double(struct sq_row *r)
{
	return sqlite3_column_double(r->st, r->i++);
}

int lm__sq_row_end(struct sq_conn *c, struct sq_row *r)
{
	if (r->bad < 0)
		return 0;
	/* Names the column, never the value: it may be personal data. */
	lm__sq_fail(c, "stored %s is longer than its field allows",
	            sqlite3_column_name(r->st, r->bad));
	return -1;
}

int lm__sq_is_id(const char *key, char id[LM_UUID_STRLEN])
{
	size_t len = strnlen(key, LM_UUID_STRLEN);

	if (!lm_uuid_valid(key, len))
		return 0;
	for (size_t i = 0; i < len; i++)
		id[i] = (char)tolower((unsigned char)key[i]);
	id[len] = '\0';
	return 1;
}

/* ---- connections ------------------------------------------------------- */

/* PRAGMA journal_mode answers with the mode now in force. */
static int sq_set_wal(struct sq_conn *c)
{
	sqlite3_stmt *st;
	int rc, wal = 0;

	rc = sqlite3_prepare_v2(c->db, "PRAGMA journal_mode=WAL", -1, &st, NULL);
	if (rc != SQLITE_OK) {
		lm__sq_error(c, sqlite3_extended_errcode(c->db));
		return -1;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		wal = sqlite3_stricmp((const char *)sqlite3_column_text(st, 0), "wal") == 0;
	else
		lm__sq_error(c, sqlite3_extended_errcode(c->db));
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return -1;
	if (!wal) {
		lm__sq_fail(c,
		            "cannot switch the database to WAL mode (on a network file system?)");
		return -1;
	}
	return 0;
}

/*
 * Open one connection to the store's file and set it up. On failure the
 * connection is left closed with the reason in c->errmsg.
 */
static int sq_connect(struct sq_store *st, struct sq_conn *c)
{
	int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_PRIVATECACHE;
	int readonly = !c->is_writer || (st->flags & LM_STORE_READONLY);
	int rc;

	if (st->memory)
		flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	else if (readonly)
		flags |= SQLITE_OPEN_READONLY;
	else
		flags |=
		    SQLITE_OPEN_READWRITE | (st->flags & LM_STORE_CREATE ? SQLITE_OPEN_CREATE : 0);

	c->conflict = 0;
	c->errmsg[0] = '\0';
	rc = sqlite3_open_v2(st->path, &c->db, flags, NULL);
	if (rc != SQLITE_OK) {
		lm__sq_error(c, rc);
		sq_close(c);
		return -1;
	}
	sqlite3_extended_result_codes(c->db, 1);
	sqlite3_busy_timeout(c->db, SQ_BUSY_TIMEOUT_MS);

	/*
	 * WAL: readers never block the writer nor the writer readers, and with
	 * synchronous=FULL each commit fsyncs the WAL before returning, so an
	 * acknowledged write survives kill -9 and power loss (docs/storage.md).
	 * The journal mode is a property of the file that the writer sets (it
	 * connects first); a read-only connection cannot change it and need not.
	 */
	if (!st->memory && !readonly && sq_set_wal(c))
		goto fail;
	rc = sqlite3_exec(c->db,
	                  "PRAGMA synchronous=FULL;"
	                  "PRAGMA foreign_keys=ON;"
	                  "PRAGMA temp_store=MEMORY;",
	                  NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		lm__sq_error(c, sqlite3_extended_errcode(c->db));
		goto fail;
	}
	c->errmsg[0] = '\0';
	return 0;
fail:
	sqlite3_close_v2(c->db);
	c->db = NULL;
	return -1;
}

/*
 * Checkpoints copy committed WAL pages into the database file and fsync it.
 * SQLite runs them inside the COMMIT that crossed the threshold, on the
 * writer, which holds up the whole group commit behind it. So the writer's
 * automatic checkpoint is off; its WAL hook wakes a checkpointer thread that
 * runs a PASSIVE checkpoint on its own connection (never blocking writer or
 * readers) once the WAL holds SQ_CHECKPOINT_FRAMES pages, SQLite's default.
 */
#define SQ_CHECKPOINT_FRAMES 1000

static int wal_hook(void *arg, sqlite3 *db, const char *name, int frames)
{
	struct sq_store *st = arg;

	(void)db;
	(void)name;
	if (frames >= SQ_CHECKPOINT_FRAMES) {
		pthread_mutex_lock(&st->mu);
		st->ckpt_want = 1;
		pthread_cond_signal(&st->ckpt_cond);
		pthread_mutex_unlock(&st->mu);
	}
	return SQLITE_OK;
}

static void *checkpointer(void *arg)
{
	struct sq_store *st = arg;

	for (;;) {
		pthread_mutex_lock(&st->mu);
		while (!st->ckpt_want && !st->ckpt_stop)
			pthread_cond_wait(&st->ckpt_cond, &st->mu);
		if (st->ckpt_stop) {
			pthread_mutex_unlock(&st->mu);
			return NULL;
		}
		st->ckpt_want = 0;
		pthread_mutex_unlock(&st->mu);
		/* Errors (a busy file) just leave the work for the next wake-up. */
		sqlite3_wal_checkpoint_v2(st->ckpt_db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	}
}

/* Start the checkpointer; on any failure the writer keeps SQLite's own checkpoints. */
static void checkpointer_start(struct sq_store *st)
{
	if (st->memory || (st->flags & LM_STORE_READONLY))
		return;
	if (sqlite3_open_v2(st->path, &st->ckpt_db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		sqlite3_close_v2(st->ckpt_db);
		st->ckpt_db = NULL;
		return;
	}
	sqlite3_busy_timeout(st->ckpt_db, SQ_BUSY_TIMEOUT_MS);
	pthread_cond_init(&st->ckpt_cond, NULL);
	if (pthread_create(&st->ckpt_thread, NULL, checkpointer, st)) {
		pthread_cond_destroy(&st->ckpt_cond);
		sqlite3_close_v2(st->ckpt_db);
		st->ckpt_db = NULL;
		return;
	}
	pthread_setname_np(st->ckpt_thread, "lm-checkpoint");
	st->ckpt_running = 1;
	sqlite3_wal_autocheckpoint(st->writer.db, 0);
	sqlite3_wal_hook(st->writer.db, wal_hook, st);
}

static void checkpointer_stop(struct sq_store *st)
{
	if (!st->ckpt_running)
		return;
	pthread_mutex_lock(&st->mu);
	st->ckpt_stop = 1;
	pthread_cond_signal(&st->ckpt_cond);
	pthread_mutex_unlock(&st->mu);
	pthread_join(st->ckpt_thread, NULL);
	pthread_cond_destroy(&st->ckpt_cond);
	sqlite3_close_v2(st->ckpt_db);
	st->ckpt_db = NULL;
	st->ckpt_running = 0;
}

static void sq_close(struct sq_conn *c)
{
	for (int i = 0; i < SQ__COUNT; i++) {
		sqlite3_finalize(c->stmt[i]);
		c->stmt[i] = NULL;
	}
	/* _v2: never leaves a half-closed handle, even if something is still open. */
	sqlite3_close_v2(c->db);
	c->db = NULL;
}

static void sq_free(struct lm_store *base)
{
	struct sq_store *st = lm__sq_store(base);

	if (st->writer.busy)
		LM_BUG("lm_store_free with the writer still acquired");
	checkpointer_stop(st);
	/* Readers first: the last connection to close checkpoints the WAL. */
	for (int i = 0; i < SQ_READERS_MAX; i++) {
		if (st->readers[i].busy)
			LM_BUG("lm_store_free with a reader still acquired");
		sq_close(&st->readers[i]);
	}
	sq_close(&st->writer);
	pthread_cond_destroy(&st->reader_free);
	pthread_cond_destroy(&st->writer_free);
	pthread_mutex_destroy(&st->mu);
	free(st->path);
	free(st);
}

static int sq_open(const char *target, unsigned flags, struct lm_store **out, struct lm_error *err)
{
	struct sq_store *st;
	struct stat sb;
	int memory = strcmp(target, ":memory:") == 0;
	int has;

	*out = NULL;
	if (!memory && stat(target, &sb) != 0) {
		if (errno != ENOENT)
			return lm_error_set(err, LM_EIO, "store", "cannot open database %s: %s",
			                    target, strerror(errno));
		if (!(flags & LM_STORE_CREATE))
			return lm_error_set(err, LM_ENOTFOUND, "store",
			                    "no database at %s (`limes init` creates one)", target);
	}

	st = calloc(1, sizeof(*st));
	if (!st || !(st->path = strdup(target))) {
		free(st);
		return lm_error_set(err, LM_ENOMEM, "store", "out of memory opening the store");
	}
	st->base.ops = &lm__sqlite_ops;
	st->flags = flags;
	st->memory = memory;
	pthread_mutex_init(&st->mu, NULL);
	pthread_cond_init(&st->writer_free, NULL);
	pthread_cond_init(&st->reader_free, NULL);
	st->writer.base.st = &st->base;
	st->writer.base.kind = LM_CONN_WRITE;
	st->writer.st = st;
	st->writer.is_writer = 1;
	for (int i = 0; i < SQ_READERS_MAX; i++) {
		st->readers[i].base.st = &st->base;
		st->readers[i].base.kind = LM_CONN_READ;
		st->readers[i].st = st;
	}

	/* The writer connects first and puts the file in WAL mode for the readers. */
	if (sq_connect(st, &st->writer)) {
		lm_error_set(err, LM_EDB, "store", "cannot open database %s: %s", target,
		             st->writer.errmsg);
		goto fail;
	}
	has = lm__sq_has_schema(&st->writer);
	if (has < 0) {
		lm_error_set(err, LM_EDB, "store", "cannot read database %s: %s", target,
		             st->writer.errmsg);
		goto fail;
	}
	st->was_empty = !has;
	checkpointer_start(st);
	*out = &st->base;
	return LM_OK;
fail:
	sq_free(&st->base);
	return err ? err->code : LM_EDB;
}

static struct lm_conn *sq_acquire(struct lm_store *base, enum lm_conn_kind kind)
{
	struct sq_store *st = lm__sq_store(base);
	struct sq_conn *c = NULL;

	pthread_mutex_lock(&st->mu);
	if (kind == LM_CONN_WRITE || st->memory) {
		while (st->writer.busy)
			pthread_cond_wait(&st->writer_free, &st->mu);
		c = &st->writer;
	} else {
		/* Prefer an open idle reader; open a new one only when none is idle. */
		while (!c) {
			struct sq_conn *unopened = NULL;
			for (int i = 0; i < SQ_READERS_MAX; i++) {
				struct sq_conn *r = &st->readers[i];
				if (r->busy)
					continue;
				if (r->db) {
					c = r;
					break;
				}
				if (!unopened)
					unopened = r;
			}
			if (!c)
				c = unopened;
			if (!c)
				pthread_cond_wait(&st->reader_free, &st->mu);
		}
	}
	c->busy = 1;
	pthread_mutex_unlock(&st->mu);

	c->base.kind = kind;
	/* Outside the lock: opening reads the file and may wait on a busy lock. */
	if (!c->db && !c->is_writer)
		sq_connect(st, c);
	return &c->base;
}

static void sq_rollback(struct lm_conn *base)
{
	struct sq_conn *c = lm__sq_conn(base);
	sqlite3_stmt *st;

	/* Nothing to undo outside a transaction; a failed COMMIT may have ended it. */
	if (!c->db || sqlite3_get_autocommit(c->db))
		return;
	st = lm__sq_stmt(c, SQ_ROLLBACK, "ROLLBACK");
	if (st)
		lm__sq_run(c, st);
	else
		sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
}

static void sq_release(struct lm_conn *base)
{
	struct sq_conn *c = lm__sq_conn(base);
	struct sq_store *st = c->st;

	/* A transaction left open would leak into the next caller's work. */
	sq_rollback(base);

	pthread_mutex_lock(&st->mu);
	c->busy = 0;
	pthread_cond_signal(c->is_writer ? &st->writer_free : &st->reader_free);
	pthread_mutex_unlock(&st->mu);
}

/* BEGIN / COMMIT change no rows: sqlite3_changes() would still report the last DML's count. */
static enum lm_qs tx_run(struct sq_conn *c, sqlite3_stmt *st)
{
	enum lm_qs qs = st ? lm__sq_run(c, st) : LM_QS_HARD;

	return qs < 0 ? qs : LM_QS_NONE;
}

static enum lm_qs sq_begin(struct lm_conn *base)
{
	struct sq_conn *c = lm__sq_conn(base);
	sqlite3_stmt *st;

	/*
	 * The writer takes the write lock at BEGIN (IMMEDIATE), so a busy
	 * database fails here, before any work, not at the first write or at
	 * COMMIT. A reader's DEFERRED transaction pins one snapshot from its
	 * first read to its end.
	 */
	if (base->kind == LM_CONN_WRITE)
		st = lm__sq_stmt(c, SQ_BEGIN_WRITE, "BEGIN IMMEDIATE");
	else
		st = lm__sq_stmt(c, SQ_BEGIN_READ, "BEGIN DEFERRED");
	return tx_run(c, st);
}

/*
 * In WAL mode every commit, by any process, appends to the -wal file (and a
 * checkpoint rewrites its header), so its size, mtime and inode change.
 * One stat(2) is far cheaper than a query; nanosecond mtimes on ext4 and the
 * size make two commits with equal numbers practically impossible.
 */
static uint64_t sq_data_version(struct lm_store *base)
{
	struct sq_store *st = lm__sq_store(base);
	char wal[4096 + 8];
	struct stat sb;
	uint64_t v;

	if (st->memory)
		return 0;
	if ((size_t)snprintf(wal, sizeof(wal), "%s-wal", st->path) >= sizeof(wal) ||
	    stat(wal, &sb) != 0)
		return 0;
	v = (uint64_t)sb.st_mtim.tv_sec * 1000000007u + (uint64_t)sb.st_mtim.tv_nsec;
	v = v * 31 + (uint64_t)sb.st_size;
	v = v * 31 + (uint64_t)sb.st_ino;
	return v ? v : 1;
}

static enum lm_qs sq_commit(struct lm_conn *base)
{
	struct sq_conn *c = lm__sq_conn(base);
	sqlite3_stmt *st = lm__sq_stmt(c, SQ_COMMIT, "COMMIT");

	return tx_run(c, st);
}

static const char *sq_errmsg(struct lm_conn *base)
{
	return lm__sq_conn(base)->errmsg;
}

static int sq_last_conflict(struct lm_conn *base)
{
	return lm__sq_conn(base)->conflict;
}

const struct lm_store_ops lm__sqlite_ops = {
    .name = "sqlite",
    .open = sq_open,
    .free = sq_free,
    .was_empty = lm__sq_was_empty,
    .schema_version = lm__sq_schema_version,
    .migrate = lm__sq_migrate,
    .backup = lm__sq_backup,
    .acquire = sq_acquire,
    .release = sq_release,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .data_version = sq_data_version,
    .errmsg = sq_errmsg,
    .last_conflict = sq_last_conflict,
    .registry_delete = lm__sq_registry_delete,
    .agency_insert = lm__sq_agency_insert,
    .agency_get = lm__sq_agency_get,
    .agency_update = lm__sq_agency_update,
    .session_get = lm__sq_session_get,
    .session_list = lm__sq_session_list,
    .agency_list = lm__sq_agency_list,
    .user_insert = lm__sq_user_insert,
    .user_get = lm__sq_user_get,
    .user_update = lm__sq_user_update,
    .user_list = lm__sq_user_list,
    .user_points_set = lm__sq_user_points_set,
    .user_points_list = lm__sq_user_points_list,
    .session_insert = lm__sq_session_insert,
    .session_by_hash = lm__sq_session_by_hash,
    .session_revoke = lm__sq_session_revoke,
    .session_revoke_user = lm__sq_session_revoke_user,
    .audit_append = lm__sq_audit_append,
    .audit_list = lm__sq_audit_list,
    .idem_get = lm__sq_idem_get,
    .idem_insert = lm__sq_idem_insert,
    .purge_expired = lm__sq_purge_expired,
    .point_insert = lm__sq_point_insert,
    .point_get = lm__sq_point_get,
    .point_update = lm__sq_point_update,
    .point_list = lm__sq_point_list,
    .status_insert = lm__sq_status_insert,
    .status_list = lm__sq_status_list,
    .segment_insert = lm__sq_segment_insert,
    .segment_get = lm__sq_segment_get,
    .segment_update = lm__sq_segment_update,
    .segment_list = lm__sq_segment_list,
    .marker_insert = lm__sq_marker_insert,
    .marker_get = lm__sq_marker_get,
    .marker_update = lm__sq_marker_update,
    .marker_set_condition = lm__sq_marker_set_condition,
    .marker_list = lm__sq_marker_list,
    .inspection_insert = lm__sq_inspection_insert,
    .inspection_latest = lm__sq_inspection_latest,
    .inspection_list = lm__sq_inspection_list,
};
