/*
 * sqlite_schema.c - schema versions, migrations and online backup.
 *
 * Migrations are the files src/store/migrations/NNNN_name.sql, compiled in
 * by cmake/embed.cmake as lm_migrations_sqlite[] (sorted by name, NULL-name
 * terminated). A file's version is its leading number. Each file runs in its
 * own write transaction together with the INSERT of its schema_version row,
 * so a file is applied completely or not at all, and two processes migrating
 * at once serialise on the write lock and re-read the version inside it.
 * Files therefore must not contain BEGIN / COMMIT.
 */
#include "store/sqlite/sqlite_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/embed.h"

extern const struct lm_embedded lm_migrations_sqlite[];

/* The leading number of "0001_init.sql"; a file without one is a build mistake. */
static int migration_version(const char *name)
{
	int v = 0;

	if (name[0] < '0' || name[0] > '9')
		LM_BUG("migration file name does not start with its version number");
	for (; *name >= '0' && *name <= '9'; name++) {
		if (v > 100000)
			LM_BUG("migration version number too large");
		v = v * 10 + (*name - '0');
	}
	return v;
}

/* Newest version this program knows; checks the table is strictly increasing. */
static int latest_version(void)
{
	int latest = 0;

	for (const struct lm_embedded *m = lm_migrations_sqlite; m->name; m++) {
		int v = migration_version(m->name);
		if (v <= latest)
			LM_BUG("migration versions are not strictly increasing");
		latest = v;
	}
	return latest;
}

int lm__sq_has_schema(struct sq_conn *c)
{
	sqlite3_stmt *st = lm__sq_stmt(c, SQ_SCHEMA_HAS_TABLE,
	                               "SELECT count(*) FROM sqlite_master"
	                               " WHERE type = 'table' AND name = 'schema_version'");
	int rc, has;

	if (!st)
		return -1;
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		lm__sq_error(c, sqlite3_extended_errcode(c->db));
		lm__sq_done(st);
		return -1;
	}
	has = sqlite3_column_int(st, 0) > 0;
	lm__sq_done(st);
	return has;
}

/*
 * The database's version (0 = no schema) and whether it holds tables of
 * someone else (tables but no schema_version). 0, or -1 with the error
 * recorded on c.
 */
static int read_version(struct sq_conn *c, int *current, int *foreign)
{
	sqlite3_stmt *st;
	int has = lm__sq_has_schema(c), rc;

	*current = 0;
	*foreign = 0;
	if (has < 0)
		return -1;
	if (has)
		st = lm__sq_stmt(c, SQ_SCHEMA_MAX,
		                 "SELECT coalesce(max(version), 0) FROM schema_version");
	else
		st =
		    lm__sq_stmt(c, SQ_SCHEMA_OTHER_TABLES,
		                "SELECT count(*) FROM sqlite_master"
		                " WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'");
	if (!st)
		return -1;
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		lm__sq_error(c, sqlite3_extended_errcode(c->db));
		lm__sq_done(st);
		return -1;
	}
	if (has)
		*current = sqlite3_column_int(st, 0);
	else
		*foreign = sqlite3_column_int(st, 0) > 0;
	lm__sq_done(st);
	return 0;
}

int lm__sq_was_empty(const struct lm_store *base)
{
	return ((const struct sq_store *)base)->was_empty;
}

int lm__sq_schema_version(struct lm_store *base, int *current, int *latest, struct lm_error *err)
{
	struct sq_store *st = lm__sq_store(base);
	struct lm_conn *conn = lm_store_acquire(base, LM_CONN_READ);
	struct sq_conn *c = lm__sq_conn(conn);
	int foreign, ret = LM_OK;

	*latest = latest_version();
	if (read_version(c, current, &foreign))
		ret = lm_error_set(err, LM_EDB, "store", "cannot read the schema version of %s: %s",
		                   st->path, c->errmsg);
	lm_store_release(conn);
	return ret;
}

/* Apply one migration file inside the open write transaction. */
static int apply(struct sq_conn *c, const struct lm_embedded *m, int version)
{
	sqlite3_stmt *st;
	struct sq_bind b;
	char *msg = NULL;
	int rc;

	/* sqlite3_exec: a file is many statements, and it is trusted text built into us. */
	rc = sqlite3_exec(c->db, m->data, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		lm__sq_fail(c, "%s", msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		return -1;
	}
	st = lm__sq_stmt(c, SQ_SCHEMA_INSERT,
	                 "INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)");
	if (!st)
		return -1;
	lm__sq_bind_start(&b, c, st);
	lm__sq_b_int(&b, version);
	lm__sq_b_text(&b, m->name, strlen(m->name) + 1);
	lm__sq_b_int(&b, lm_time_now());
	if (lm__sq_bind_end(&b) < 0 || lm__sq_run(c, st) < 0)
		return -1;
	return 0;
}

int lm__sq_migrate(struct lm_store *base, int *from, int *to, struct lm_error *err)
{
	struct sq_store *st = lm__sq_store(base);
	struct lm_conn *conn = lm_store_acquire(base, LM_CONN_WRITE);
	struct sq_conn *c = lm__sq_conn(conn);
	int latest = latest_version(), current = 0, foreign, first = 1, ret = LM_OK;

	*from = 0;

	for (;;) {
		const struct lm_embedded *m;
		int v = 0;
		enum lm_qs qs = lm_store_begin(conn);

		if (qs < 0) {
			ret = lm_error_set(err, qs == LM_QS_SOFT ? LM_EBUSY : LM_EDB, "store",
			                   "cannot migrate %s: %s", st->path, c->errmsg);
			break;
		}
		/* Read inside the write lock: another process may have migrated meanwhile. */
		if (read_version(c, &current, &foreign)) {
			ret = lm_error_set(err, LM_EDB, "store",
			                   "cannot read the schema version of %s: %s", st->path,
			                   c->errmsg);
			break;
		}
		if (first) {
			*from = current;
			first = 0;
		}
		if (foreign) {
			ret = lm_error_set(
			    err, LM_EINVAL, "store",
			    "%s has tables but no schema_version: not a limes database", st->path);
			break;
		}
		if (current > latest) {
			ret = lm_error_set(err, LM_ESCHEMA, "store",
			                   "database schema version %d is newer than this program "
			                   "(knows up to %d); upgrade limes",
			                   current, latest);
			break;
		}
		for (m = lm_migrations_sqlite; m->name; m++) {
			v = migration_version(m->name);
			if (v > current)
				break;
		}
		if (!m->name)
			break; /* up to date; the rollback below ends the empty transaction */
		if (apply(c, m, v)) {
			ret = lm_error_set(err, LM_EDB, "store", "migration %s failed: %s", m->name,
			                   c->errmsg);
			break;
		}
		qs = lm_store_commit(conn);
		if (qs < 0) {
			ret = lm_error_set(err, qs == LM_QS_SOFT ? LM_EBUSY : LM_EDB, "store",
			                   "migration %s failed to commit: %s", m->name, c->errmsg);
			break;
		}
		current = v;
	}
	lm_store_rollback(conn);
	lm_store_release(conn);
	*to = current;
	return ret;
}

int lm__sq_backup(struct lm_store *base, const char *path, struct lm_error *err)
{
	struct sq_store *st = lm__sq_store(base);
	struct lm_conn *conn;
	struct sq_conn *c;
	sqlite3 *dst = NULL;
	sqlite3_backup *bk;
	int fd, rc, ret = LM_OK;

	if (!path || !*path)
		return lm_error_set(err, LM_EINVAL, "path", "no backup path given");
	/*
	 * O_EXCL: never overwrite, even if the file appears between a check and
	 * the open. 0600: the copy holds the same personal data as the original.
	 */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		if (errno == EEXIST)
			return lm_error_set(err, LM_EEXISTS, "path", "%s already exists", path);
		return lm_error_set(err, LM_EIO, "path", "cannot create %s: %s", path,
		                    strerror(errno));
	}
	close(fd);

	rc = sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE, NULL);
	if (rc != SQLITE_OK) {
		ret = lm_error_set(err, LM_EIO, "path", "cannot open %s: %s", path,
		                   dst ? sqlite3_errmsg(dst) : sqlite3_errstr(rc));
		goto out_dst;
	}
	/* The copy is committed through dst's own journal; make that commit durable too. */
	sqlite3_exec(dst, "PRAGMA synchronous=FULL", NULL, NULL, NULL);

	/* A reader: its snapshot is a consistent copy and the writer goes on meanwhile. */
	conn = lm_store_acquire(base, LM_CONN_READ);
	c = lm__sq_conn(conn);
	if (!c->db) {
		ret = lm_error_set(err, LM_EDB, "store", "cannot back up %s: %s", st->path,
		                   c->errmsg);
		goto out_conn;
	}
	bk = sqlite3_backup_init(dst, "main", c->db, "main");
	if (!bk) {
		ret = lm_error_set(err, LM_EDB, "store", "cannot back up %s: %s", st->path,
		                   sqlite3_errmsg(dst));
		goto out_conn;
	}
	/* -1: every page in one step, under one read lock, so the copy is one snapshot. */
	rc = sqlite3_backup_step(bk, -1);
	sqlite3_backup_finish(bk);
	if (rc != SQLITE_DONE)
		ret = lm_error_set(err, (rc & 0xff) == SQLITE_BUSY ? LM_EBUSY : LM_EDB, "store",
		                   "backup of %s to %s failed: %s", st->path, path,
		                   sqlite3_errstr(rc));
out_conn:
	lm_store_release(conn);
out_dst:
	if (sqlite3_close(dst) != SQLITE_OK && ret == LM_OK)
		ret = lm_error_set(err, LM_EIO, "path", "cannot close %s", path);
	if (ret != LM_OK)
		unlink(path); /* a half-written copy must not pass for a backup */
	return ret;
}
