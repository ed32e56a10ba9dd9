/*
 * test_store.c - the store conformance suite (Taler's test_exchangedb.c is
 * the model): every backend must pass it unchanged.
 *
 * The store under test comes from LIMES_STORE_URL (CTest points it at a
 * SQLite file in the build directory). Each test that uses the shared
 * `st` gets a freshly created and migrated database at that URL, so tests
 * do not depend on each other's rows. A few tests look beneath the
 * interface (audit triggers, a faked newer schema, an over-long stored
 * value) by opening the SQLite file directly; they are skipped for other
 * backends until those grow an equivalent.
 *
 * No test sleeps: waiting is always on a join or on the store itself.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/store.h"

static char url[PATH_MAX + 16];
/* The SQLite file behind url; "" for :memory: or another backend. */
static char db_path[PATH_MAX + 16];
/* url is SQLite's :memory: (one connection serves both kinds). */
static int memory;
/* Fresh and migrated for each test that asks for it. */
static struct lm_store *st;

/* ---- helpers ----------------------------------------------------------- */

static void put(char *dst, size_t cap, const char *s)
{
	size_t len = strlen(s);

	assert_true(len < cap); /* a test value that does not fit is a bug in the test */
	memcpy(dst, s, len + 1);
}
#define PUT(field, s) put((field), sizeof(field), (s))

static void remove_db(const char *path)
{
	static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
	char p[PATH_MAX + 16];

	for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", path, suffix[i]);
		if (unlink(p) != 0)
			assert_int_equal(errno, ENOENT);
	}
}

/* A scratch file next to the database under test (or in /tmp for :memory:). */
static const char *scratch(char *buf, size_t cap, const char *suffix)
{
	if (db_path[0])
		snprintf(buf, cap, "%s.%s", db_path, suffix);
	else
		snprintf(buf, cap, "/tmp/limes_test_store.%ld.%s", (long)getpid(), suffix);
	remove_db(buf);
	return buf;
}

static int need_sqlite_file(void)
{
	return db_path[0] != '\0';
}

/* Run SQL on a SQLite file behind the store's back; the SQLite result code. */
static int raw_exec(const char *path, const char *sql, char *msg, size_t cap)
{
	sqlite3 *db = NULL;
	char *err = NULL;
	int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL);

	assert_int_equal(rc, SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	rc = sqlite3_exec(db, sql, NULL, NULL, &err);
	if (msg)
		snprintf(msg, cap, "%s", err ? err : "");
	sqlite3_free(err);
	sqlite3_close(db);
	return rc;
}

/* The first column of the first row as text ("" for NULL or no row). */
static void raw_text(const char *path, const char *sql, char *out, size_t cap)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *stmt = NULL;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
	out[0] = '\0';
	if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0))
		snprintf(out, cap, "%s", (const char *)sqlite3_column_text(stmt, 0));
	sqlite3_finalize(stmt);
	sqlite3_close(db);
}

static long long raw_int(const char *path, const char *sql)
{
	char buf[32];

	raw_text(path, sql, buf, sizeof(buf));
	return strtoll(buf, NULL, 10);
}

static void url_for(char *buf, size_t cap, const char *path)
{
	snprintf(buf, cap, "sqlite:%s", path);
}

static struct lm_store *open_migrated(const char *u)
{
	struct lm_store *s = NULL;
	struct lm_error err;
	int from, to;

	lm_error_init(&err);
	assert_int_equal(lm_store_open(u, LM_STORE_CREATE, &s, &err), LM_OK);
	assert_int_equal(lm_store_migrate(s, &from, &to, &err), LM_OK);
	assert_true(to > 0);
	return s;
}

static int fresh(void **state)
{
	if (db_path[0])
		remove_db(db_path);
	st = open_migrated(url);
	return 0;
}

/*
 * Connections a test holds, so that a failed assertion (which leaves the
 * test by longjmp) does not leave them acquired: lm_store_free() would
 * rightly abort, and the rest of the suite would not run.
 */
static struct lm_conn *held[20];

static struct lm_conn *hold(struct lm_conn *c)
{
	for (size_t i = 0; i < sizeof(held) / sizeof(held[0]); i++) {
		if (!held[i]) {
			held[i] = c;
			return c;
		}
	}
	fail_msg("test holds too many connections");
	return c;
}

static void release(struct lm_conn *c)
{
	for (size_t i = 0; i < sizeof(held) / sizeof(held[0]); i++) {
		if (held[i] == c) {
			held[i] = NULL;
			lm_store_release(c);
			return;
		}
	}
	fail_msg("releasing a connection the test does not hold");
}

static int done(void **state)
{
	for (size_t i = 0; i < sizeof(held) / sizeof(held[0]); i++) {
		if (held[i])
			lm_store_release(held[i]);
		held[i] = NULL;
	}
	lm_store_free(st);
	st = NULL;
	return 0;
}

static struct lm_conn *writer(void)
{
	return hold(lm_store_acquire(st, LM_CONN_WRITE));
}

static struct lm_conn *reader(void)
{
	return hold(lm_store_acquire(st, LM_CONN_READ));
}

/* Keys seen by a list callback, in order. */
struct keys {
	int n;
	int stop_at; /* stop after this many rows; 0 = never */
	char k[64][80];
};

static int keep(struct keys *k, const char *key)
{
	assert_true(k->n < 64);
	snprintf(k->k[k->n], sizeof(k->k[0]), "%s", key);
	k->n++;
	return k->stop_at && k->n >= k->stop_at;
}

/*
 * Page through a list `limit` rows at a time; each page must be full until
 * the last, keys strictly increasing across pages (so no duplicates) and
 * exactly `total` of them (so no gaps).
 */
typedef enum lm_qs (*lister)(struct lm_conn *c, const struct lm_page *pg, struct keys *k);

static void check_pages(struct lm_conn *c, lister fn, int total, int limit, struct keys *all)
{
	struct lm_page pg = {"", limit};
	int expect = total;

	memset(all, 0, sizeof(*all));
	for (;;) {
		struct keys page = {0};
		int want = expect < limit ? expect : limit;
		enum lm_qs qs = fn(c, &pg, &page);

		assert_int_equal(qs, want);
		assert_int_equal(page.n, want);
		for (int i = 0; i < page.n; i++) {
			if (all->n > 0)
				assert_true(strcmp(all->k[all->n - 1], page.k[i]) < 0);
			keep(all, page.k[i]);
		}
		if (want == 0)
			break;
		expect -= want;
		snprintf(pg.after, sizeof(pg.after), "%s", page.k[page.n - 1]);
	}
	assert_int_equal(all->n, total);
}

/* ---- record factories -------------------------------------------------- */

static void mk_agency(struct lm_agency *a, const char *code)
{
	memset(a, 0, sizeof(*a));
	lm_uuid_v7(a->id);
	PUT(a->code, code);
	PUT(a->name, "Ruili Immigration Inspection Station");
	PUT(a->kind, "immigration");
	PUT(a->country, "CN");
	a->created_at = 1764374400000;
	a->version = 1;
}

static void mk_user(struct lm_user *u, const char *username, const char *agency_id)
{
	memset(u, 0, sizeof(*u));
	lm_uuid_v7(u->id);
	PUT(u->username, username);
	PUT(u->display_name, "Officer Li");
	PUT(u->agency_id, agency_id);
	u->role = LM_ROLE_OFFICER;
	PUT(u->pw_hash, "$argon2id$v=19$m=65536,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo");
	u->created_at = 1764374400001;
	u->version = 1;
}

static void mk_point(struct lm_crossing_point *p, const char *code)
{
	memset(p, 0, sizeof(*p));
	lm_uuid_v7(p->id);
	PUT(p->code, code);
	PUT(p->name, "Ruili");
	PUT(p->name_other, "Muse");
	PUT(p->country, "CN");
	PUT(p->country_other, "MM");
	PUT(p->kind, "international");
	p->modes = LM_MODE_PEDESTRIAN | LM_MODE_CARGO;
	p->lanes = 12;
	p->lon = 97.8521;
	p->lat = 24.0116;
	p->position_approximate = 1;
	PUT(p->tz, "Asia/Shanghai");
	PUT(p->hours, "mon-sun 07:00-23:00");
	p->capacity_trucks_per_day = 1500;
	p->capacity_persons_per_day = 40000;
	PUT(p->note, "Jiegao gate");
	p->created_at = 1764374400002;
	p->updated_at = p->created_at;
	p->version = 1;
}

static void mk_segment(struct lm_segment *s, const char *code, char *wkt)
{
	memset(s, 0, sizeof(*s));
	lm_uuid_v7(s->id);
	PUT(s->code, code);
	PUT(s->name, "Ruili river section");
	PUT(s->country_a, "CN");
	PUT(s->country_b, "MM");
	s->wkt = wkt;
	s->length_m = 1234.5;
	PUT(s->note, "");
	s->created_at = 1764374400003;
	s->updated_at = s->created_at;
	s->version = 1;
}

static void mk_marker(struct lm_marker *m, const char *pillar, const char *segment_id)
{
	memset(m, 0, sizeof(*m));
	lm_uuid_v7(m->id);
	PUT(m->pillar, pillar);
	PUT(m->segment_id, segment_id);
	m->lon = 97.9;
	m->lat = 24.1;
	m->condition = LM_MARKER_INTACT;
	PUT(m->note, "concrete, 1.2 m");
	m->created_at = 1764374400004;
	m->updated_at = m->created_at;
	m->version = 1;
}

static void hash_of(char out[LM_TOKEN_HASH_HEX + 1], int n)
{
	snprintf(out, LM_TOKEN_HASH_HEX + 1, "%064x", n);
}

static int count_agency(void *ctx, const struct lm_agency *a)
{
	(*(int *)ctx)++;
	return 0;
}

static int count_agencies(struct lm_conn *c)
{
	int n = 0;
	enum lm_qs qs = lm_store_agency_list(c, NULL, count_agency, &n);

	assert_true(qs >= 0);
	assert_int_equal(qs, n);
	return n;
}

/* ---- opening and migrations -------------------------------------------- */

static void test_open_missing(void **state)
{
	char path[PATH_MAX + 32], u[PATH_MAX + 48];
	struct lm_store *s = (struct lm_store *)1;
	struct lm_error err;
	struct stat sb;

	lm_error_init(&err);
	assert_int_equal(lm_store_open("bogus://somewhere", 0, &s, &err), LM_EINVAL);
	assert_null(s);
	assert_int_equal(lm_store_open("sqlite:", 0, &s, &err), LM_EINVAL);
	assert_int_equal(lm_store_open("", 0, &s, &err), LM_EINVAL);

	url_for(u, sizeof(u), scratch(path, sizeof(path), "missing"));
	lm_error_init(&err);
	assert_int_equal(lm_store_open(u, 0, &s, &err), LM_ENOTFOUND);
	assert_null(s);
	assert_non_null(strstr(err.msg, path));
	assert_int_equal(stat(path, &sb), -1); /* not created as a side effect */

	/* Read-only and create contradict each other. */
	assert_int_equal(lm_store_open(u, LM_STORE_CREATE | LM_STORE_READONLY, &s, &err),
	                 LM_EINVAL);
	assert_int_equal(stat(path, &sb), -1);
}

static void test_create_and_migrate(void **state)
{
	char path[PATH_MAX + 32], u[PATH_MAX + 48];
	struct lm_store *s = NULL;
	struct lm_error err;
	int cur = -1, latest = -1, from = -1, to = -1;

	if (memory)
		url_for(u, sizeof(u), ":memory:");
	else
		url_for(u, sizeof(u), scratch(path, sizeof(path), "fresh"));
	lm_error_init(&err);
	assert_int_equal(lm_store_open(u, LM_STORE_CREATE, &s, &err), LM_OK);
	assert_string_equal(lm_store_backend(s), "sqlite");
	assert_int_equal(lm_store_was_empty(s), 1);
	assert_int_equal(lm_store_schema_version(s, &cur, &latest, &err), LM_OK);
	assert_int_equal(cur, 0);
	assert_true(latest >= 1);

	assert_int_equal(lm_store_migrate(s, &from, &to, &err), LM_OK);
	assert_int_equal(from, 0);
	assert_int_equal(to, latest);
	assert_int_equal(lm_store_schema_version(s, &cur, &latest, &err), LM_OK);
	assert_int_equal(cur, latest);

	/* Again: nothing to do. */
	from = to = -1;
	assert_int_equal(lm_store_migrate(s, &from, &to, &err), LM_OK);
	assert_int_equal(from, latest);
	assert_int_equal(to, latest);
	lm_store_free(s);
	if (memory)
		return;

	assert_int_equal(raw_int(path, "SELECT max(version) FROM schema_version"), latest);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM schema_version WHERE version = 1 AND "
	                               "name = '0001_init.sql' AND applied_at > 0"),
	                 1);

	/* Reopen without CREATE: it exists now and is no longer empty. */
	s = NULL;
	assert_int_equal(lm_store_open(u, 0, &s, &err), LM_OK);
	assert_int_equal(lm_store_was_empty(s), 0);
	assert_int_equal(lm_store_migrate(s, &from, &to, &err), LM_OK);
	assert_int_equal(from, latest);
	assert_int_equal(to, latest);
	lm_store_free(s);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM schema_version"), latest);
}

static void test_foreign_database_refused(void **state)
{
	char path[PATH_MAX + 32], u[PATH_MAX + 48];
	struct lm_store *s = NULL;
	struct lm_error err;
	int from, to;
	sqlite3 *db;

	if (!need_sqlite_file())
		skip();
	scratch(path, sizeof(path), "foreign");
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE stuff (x)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);

	url_for(u, sizeof(u), path);
	lm_error_init(&err);
	assert_int_equal(lm_store_open(u, 0, &s, &err), LM_OK);
	assert_int_equal(lm_store_migrate(s, &from, &to, &err), LM_EINVAL);
	assert_non_null(strstr(err.msg, "not a limes database"));
	lm_store_free(s);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM sqlite_master"), 1);
}

static void test_newer_schema_refused(void **state)
{
	char path[PATH_MAX + 32], u[PATH_MAX + 48], sql[160], want[96];
	char before[4096], after[4096], vbefore[256], vafter[256];
	static const char *const dump =
	    "SELECT group_concat(type || name || coalesce(sql, ''), '|')"
	    " FROM (SELECT * FROM sqlite_master ORDER BY name)";
	static const char *const versions =
	    "SELECT group_concat(version || name || applied_at, '|')"
	    " FROM (SELECT * FROM schema_version ORDER BY version)";
	struct lm_store *s;
	struct lm_error err;
	int cur, latest, from = -1, to = -1;

	if (!need_sqlite_file())
		skip();
	url_for(u, sizeof(u), scratch(path, sizeof(path), "newer"));
	s = open_migrated(u);
	assert_int_equal(lm_store_schema_version(s, &cur, &latest, &err), LM_OK);
	lm_store_free(s);

	snprintf(sql, sizeof(sql),
	         "INSERT INTO schema_version (version, name, applied_at) "
	         "VALUES (%d, '%04d_future.sql', 1)",
	         latest + 4, latest + 4);
	assert_int_equal(raw_exec(path, sql, NULL, 0), SQLITE_OK);
	raw_text(path, dump, before, sizeof(before));
	raw_text(path, versions, vbefore, sizeof(vbefore));
	assert_true(strlen(before) > 100);

	lm_error_init(&err);
	assert_int_equal(lm_store_open(u, 0, &s, &err), LM_OK);
	assert_int_equal(lm_store_schema_version(s, &cur, &latest, &err), LM_OK);
	assert_int_equal(cur, latest + 4);
	assert_int_equal(lm_store_migrate(s, &from, &to, &err), LM_ESCHEMA);
	snprintf(want, sizeof(want),
	         "database schema version %d is newer than this program (knows up to %d)",
	         latest + 4, latest);
	assert_non_null(strstr(err.msg, want));
	assert_non_null(strstr(err.msg, "upgrade limes"));
	lm_store_free(s);

	raw_text(path, dump, after, sizeof(after));
	raw_text(path, versions, vafter, sizeof(vafter));
	assert_string_equal(before, after);
	assert_string_equal(vbefore, vafter);
}

/* ---- agencies ---------------------------------------------------------- */

static int agency_key(void *ctx, const struct lm_agency *a)
{
	return keep(ctx, a->id);
}

static enum lm_qs list_agencies(struct lm_conn *c, const struct lm_page *pg, struct keys *k)
{
	return lm_store_agency_list(c, pg, agency_key, k);
}

static void assert_agency_equal(const struct lm_agency *a, const struct lm_agency *b)
{
	assert_string_equal(a->id, b->id);
	assert_string_equal(a->code, b->code);
	assert_string_equal(a->name, b->name);
	assert_string_equal(a->kind, b->kind);
	assert_string_equal(a->country, b->country);
	assert_int_equal(a->created_at, b->created_at);
}

static void test_agencies(void **state)
{
	struct lm_conn *c = writer();
	struct lm_agency a[25], got, dup;
	struct keys all, few = {0};
	char code[16], upper[LM_UUID_STRLEN], missing[LM_UUID_STRLEN];

	for (int i = 0; i < 25; i++) {
		snprintf(code, sizeof(code), "AG-%02d", 24 - i); /* code order != id order */
		mk_agency(&a[i], code);
		a[i].version = 7; /* ignored: inserts start at version 1 */
		assert_int_equal(lm_store_agency_insert(c, &a[i]), LM_QS_ONE);
	}

	memset(&got, 0xa5, sizeof(got));
	assert_int_equal(lm_store_agency_get(c, a[3].id, &got), LM_QS_ONE);
	assert_agency_equal(&got, &a[3]);
	assert_int_equal(got.version, 1);
	memset(&got, 0, sizeof(got));
	assert_int_equal(lm_store_agency_get(c, "AG-21", &got), LM_QS_ONE);
	assert_agency_equal(&got, &a[3]);
	for (size_t i = 0; i < sizeof(upper); i++)
		upper[i] =
		    (char)(a[5].id[i] >= 'a' && a[5].id[i] <= 'f' ? a[5].id[i] - 32 : a[5].id[i]);
	assert_int_equal(lm_store_agency_get(c, upper, &got), LM_QS_ONE);
	assert_string_equal(got.id, a[5].id);

	lm_uuid_v7(missing);
	assert_int_equal(lm_store_agency_get(c, missing, &got), LM_QS_NONE);
	assert_int_equal(lm_store_agency_get(c, "AG-99", &got), LM_QS_NONE);

	check_pages(c, list_agencies, 25, 10, &all);
	for (int i = 0; i < 25; i++) /* ids are time-ordered: insertion order */
		assert_string_equal(all.k[i], a[i].id);
	check_pages(c, list_agencies, 25, 25, &all);
	check_pages(c, list_agencies, 25, 30, &all);

	/* The callback stops the listing; the row it stopped on counts. */
	few.stop_at = 3;
	assert_int_equal(lm_store_agency_list(c, NULL, agency_key, &few), 3);
	assert_int_equal(few.n, 3);
	assert_int_equal(count_agencies(c), 25);

	/* Duplicate code, duplicate id: conflicts. */
	mk_agency(&dup, "AG-07");
	assert_int_equal(lm_store_agency_insert(c, &dup), LM_QS_HARD);
	assert_int_equal(lm_store_last_conflict(c), 1);
	assert_non_null(strstr(lm_store_errmsg(c), "UNIQUE"));
	mk_agency(&dup, "AG-NEW");
	memcpy(dup.id, a[0].id, sizeof(dup.id));
	assert_int_equal(lm_store_agency_insert(c, &dup), LM_QS_HARD);
	assert_int_equal(lm_store_last_conflict(c), 1);

	/* A CHECK failure is a hard error but no conflict. */
	mk_agency(&dup, "AG-BAD");
	PUT(dup.country, "C");
	assert_int_equal(lm_store_agency_insert(c, &dup), LM_QS_HARD);
	assert_int_equal(lm_store_last_conflict(c), 0);
	assert_true(strlen(lm_store_errmsg(c)) > 0);
	assert_int_equal(count_agencies(c), 25);
	release(c);
}

/* ---- users ------------------------------------------------------------- */

static int user_key(void *ctx, const struct lm_user *u)
{
	return keep(ctx, u->username);
}

static enum lm_qs list_users(struct lm_conn *c, const struct lm_page *pg, struct keys *k)
{
	return lm_store_user_list(c, pg, user_key, k);
}

static void test_users(void **state)
{
	struct lm_conn *c = writer();
	struct lm_agency ag;
	struct lm_user u, got, v, dup;
	struct keys all;
	char name[LM_USERNAME_MAX + 1];

	mk_agency(&ag, "CN-IMM-RUILI");
	assert_int_equal(lm_store_agency_insert(c, &ag), LM_QS_ONE);
	mk_user(&u, "li.wei", ag.id);
	assert_int_equal(lm_store_user_insert(c, &u), LM_QS_ONE);

	assert_int_equal(lm_store_user_get(c, u.id, &got), LM_QS_ONE);
	assert_string_equal(got.username, "li.wei");
	assert_string_equal(got.display_name, u.display_name);
	assert_string_equal(got.agency_id, ag.id);
	assert_string_equal(got.pw_hash, u.pw_hash);
	assert_int_equal(got.role, LM_ROLE_OFFICER);
	assert_int_equal(got.disabled, 0);
	assert_int_equal(got.created_at, u.created_at);
	assert_int_equal(got.version, 1);
	memset(&got, 0, sizeof(got));
	assert_int_equal(lm_store_user_get(c, "li.wei", &got), LM_QS_ONE);
	assert_string_equal(got.id, u.id);
	assert_int_equal(lm_store_user_get(c, "nobody", &got), LM_QS_NONE);

	/* Compare-and-set. */
	v = got;
	PUT(v.display_name, "Li Wei (supervisor)");
	v.role = LM_ROLE_SUPERVISOR;
	v.disabled = 1;
	assert_int_equal(lm_store_user_update(c, &v, 1), LM_QS_ONE);
	assert_int_equal(lm_store_user_get(c, u.id, &got), LM_QS_ONE);
	assert_int_equal(got.version, 2);
	assert_string_equal(got.display_name, "Li Wei (supervisor)");
	assert_int_equal(got.role, LM_ROLE_SUPERVISOR);
	assert_int_equal(got.disabled, 1);
	PUT(v.display_name, "stale writer");
	assert_int_equal(lm_store_user_update(c, &v, 1), LM_QS_NONE);
	assert_int_equal(lm_store_user_get(c, u.id, &got), LM_QS_ONE);
	assert_string_equal(got.display_name, "Li Wei (supervisor)");
	assert_int_equal(got.version, 2);
	lm_uuid_v7(v.id);
	assert_int_equal(lm_store_user_update(c, &v, 2), LM_QS_NONE);

	/* No agency is allowed ("" = none) and reads back as "". */
	mk_user(&dup, "system", "");
	dup.role = LM_ROLE_SYSTEM;
	assert_int_equal(lm_store_user_insert(c, &dup), LM_QS_ONE);
	assert_int_equal(lm_store_user_get(c, "system", &got), LM_QS_ONE);
	assert_string_equal(got.agency_id, "");

	/* Conflicts and other hard errors. */
	mk_user(&dup, "li.wei", ag.id);
	assert_int_equal(lm_store_user_insert(c, &dup), LM_QS_HARD);
	assert_int_equal(lm_store_last_conflict(c), 1);
	mk_user(&dup, "ghost", "0190f0e0-0000-7000-8000-000000000000");
	assert_int_equal(lm_store_user_insert(c, &dup), LM_QS_HARD); /* no such agency */
	assert_int_equal(lm_store_last_conflict(c), 0);
	mk_user(&dup, "badrole", ag.id);
	dup.role = (enum lm_role)9;
	assert_int_equal(lm_store_user_insert(c, &dup), LM_QS_HARD);
	assert_int_equal(lm_store_last_conflict(c), 0);
	assert_int_equal(lm_store_user_get(c, "system", &got), LM_QS_ONE);
	PUT(got.username, "li.wei");
	assert_int_equal(lm_store_user_update(c, &got, got.version), LM_QS_HARD);
	assert_int_equal(lm_store_last_conflict(c), 1);

	for (int i = 0; i < 23; i++) {
		snprintf(name, sizeof(name), "user%02d", (i * 7) % 23);
		mk_user(&dup, name, ag.id);
		assert_int_equal(lm_store_user_insert(c, &dup), LM_QS_ONE);
	}
	check_pages(c, list_users, 25, 10, &all);
	assert_string_equal(all.k[0], "li.wei");
	assert_string_equal(all.k[1], "system");
	assert_string_equal(all.k[2], "user00");
	assert_string_equal(all.k[24], "user22");
	release(c);
}

static int code_key(void *ctx, const char *code)
{
	return keep(ctx, code);
}

static void test_user_points(void **state)
{
	struct lm_conn *c = writer();
	struct lm_crossing_point p;
	struct lm_user u;
	struct keys k = {0};
	const char *ab[] = {"CNWAN", "CNRUI"};
	const char *c1[] = {"CNZHA"};
	const char *bad[] = {"CNRUI", "XXXXX"};
	const char *codes[] = {"CNRUI", "CNWAN", "CNZHA"};

	for (int i = 0; i < 3; i++) {
		mk_point(&p, codes[i]);
		assert_int_equal(lm_store_point_insert(c, &p), LM_QS_ONE);
	}
	mk_user(&u, "officer", "");
	assert_int_equal(lm_store_user_insert(c, &u), LM_QS_ONE);

	assert_int_equal(lm_store_user_points_set(c, u.id, ab, 2), 2);
	assert_int_equal(lm_store_user_points_list(c, u.id, code_key, &k), 2);
	assert_string_equal(k.k[0], "CNRUI");
	assert_string_equal(k.k[1], "CNWAN");

	assert_int_equal(lm_store_user_points_set(c, u.id, c1, 1), 1);
	memset(&k, 0, sizeof(k));
	assert_int_equal(lm_store_user_points_list(c, u.id, code_key, &k), 1);
	assert_string_equal(k.k[0], "CNZHA");

	/* An unknown code fails the whole replacement; the old set stays. */
	assert_int_equal(lm_store_user_points_set(c, u.id, bad, 2), LM_QS_HARD);
	assert_non_null(strstr(lm_store_errmsg(c), "XXXXX"));
	memset(&k, 0, sizeof(k));
	assert_int_equal(lm_store_user_points_list(c, u.id, code_key, &k), 1);
	assert_string_equal(k.k[0], "CNZHA");

	/* Inside a caller's transaction too, and the transaction survives. */
	assert_int_equal(lm_store_begin(c), LM_QS_NONE);
	assert_int_equal(lm_store_user_points_set(c, u.id, bad, 2), LM_QS_HARD);
	assert_int_equal(lm_store_user_points_set(c, u.id, ab, 2), 2);
	assert_int_equal(lm_store_commit(c), LM_QS_NONE);
	memset(&k, 0, sizeof(k));
	assert_int_equal(lm_store_user_points_list(c, u.id, code_key, &k), 2);

	assert_int_equal(lm_store_user_points_set(c, u.id, NULL, 0), LM_QS_NONE);
	assert_int_equal(lm_store_user_points_list(c, u.id, code_key, &k), LM_QS_NONE);
	release(c);
}

static int session_key(void *ctx, const struct lm_session *s)
{
	return keep(ctx, s->id);
}

static void test_sessions(void **state)
{
	struct lm_conn *c = writer();
	struct lm_user u, other;
	struct lm_session s1, s2, s3, got;
	const lm_time_ms t0 = 1764374400000;

	mk_user(&u, "officer", "");
	assert_int_equal(lm_store_user_insert(c, &u), LM_QS_ONE);
	mk_user(&other, "other", "");
	assert_int_equal(lm_store_user_insert(c, &other), LM_QS_ONE);
	struct lm_session *all[] = {&s1, &s2, &s3};
	for (int i = 0; i < 3; i++) {
		memset(all[i], 0, sizeof(*all[i]));
		lm_uuid_v7(all[i]->id);
		PUT(all[i]->user_id, i < 2 ? u.id : other.id);
		hash_of(all[i]->token_hash, i + 1);
		all[i]->created_at = t0 + i;
		all[i]->expires_at = t0 + 3600000;
		all[i]->revoked_at = LM_TIME_NONE;
		assert_int_equal(lm_store_session_insert(c, all[i]), LM_QS_ONE);
	}

	assert_int_equal(lm_store_session_by_hash(c, s1.token_hash, &got), LM_QS_ONE);
	assert_string_equal(got.id, s1.id);
	assert_string_equal(got.user_id, u.id);
	assert_int_equal(got.created_at, t0);
	assert_int_equal(got.expires_at, t0 + 3600000);
	assert_true(got.revoked_at == LM_TIME_NONE);
	hash_of(got.token_hash, 99);
	assert_int_equal(lm_store_session_by_hash(c, got.token_hash, &got), LM_QS_NONE);

	assert_int_equal(lm_store_session_revoke(c, s1.id, t0 + 10), LM_QS_ONE);
	assert_int_equal(lm_store_session_revoke(c, s1.id, t0 + 20), LM_QS_NONE); /* already */
	assert_int_equal(lm_store_session_by_hash(c, s1.token_hash, &got), LM_QS_ONE);
	assert_int_equal(got.revoked_at, t0 + 10);

	assert_int_equal(lm_store_session_revoke_user(c, u.id, t0 + 30), LM_QS_ONE); /* s2 only */
	assert_int_equal(lm_store_session_by_hash(c, s2.token_hash, &got), LM_QS_ONE);
	assert_int_equal(got.revoked_at, t0 + 30);
	assert_int_equal(lm_store_session_by_hash(c, s1.token_hash, &got), LM_QS_ONE);
	assert_int_equal(got.revoked_at, t0 + 10);
	assert_int_equal(lm_store_session_by_hash(c, s3.token_hash, &got), LM_QS_ONE);
	assert_true(got.revoked_at == LM_TIME_NONE);

	lm_uuid_v7(s3.id); /* same token hash, new id */
	assert_int_equal(lm_store_session_insert(c, &s3), LM_QS_HARD);
	assert_int_equal(lm_store_last_conflict(c), 1);

	/* Kinds and labels: a login by default, API tokens listed apart. */
	assert_int_equal(lm_store_session_get(c, s1.id, &got), LM_QS_ONE);
	assert_int_equal(got.kind, LM_SESSION_LOGIN);
	assert_string_equal(got.label, "");
	{
		struct lm_session t = s1;
		struct keys kt = {0};
		lm_uuid_v7(t.id);
		hash_of(t.token_hash, 77);
		t.kind = LM_SESSION_TOKEN;
		PUT(t.label, "prometheus \xe5\x93\xa8\xe5\x85\xb5"); /* UTF-8 label */
		assert_int_equal(lm_store_session_insert(c, &t), LM_QS_ONE);
		assert_int_equal(lm_store_session_get(c, t.id, &got), LM_QS_ONE);
		assert_int_equal(got.kind, LM_SESSION_TOKEN);
		assert_string_equal(got.label, t.label);
		assert_int_equal(lm_store_session_list(c, u.id, LM_SESSION_TOKEN, session_key, &kt),
		                 1);
		assert_string_equal(kt.k[0], t.id);
		assert_int_equal(lm_store_session_list(c, u.id, LM_SESSION_LOGIN, NULL, NULL), 2);
		assert_int_equal(lm_store_session_list(c, other.id, LM_SESSION_TOKEN, NULL, NULL),
		                 LM_QS_NONE);
		assert_int_equal(
		    lm_store_session_get(c, "01900000-0000-7000-8000-000000000000", &got),
		    LM_QS_NONE);
	}

	/* Housekeeping: only sessions that expired before the cut go. */
	memset(&got, 0, sizeof(got));
	assert_int_equal(lm_store_purge_expired(c, 0, t0 + 3600000), LM_QS_NONE);
	s2.expires_at = t0 + 1; /* one more session that has long expired */
	lm_uuid_v7(s2.id);
	hash_of(s2.token_hash, 42);
	assert_int_equal(lm_store_session_insert(c, &s2), LM_QS_ONE);
	assert_int_equal(lm_store_purge_expired(c, 0, t0 + 3600000), LM_QS_ONE);
	assert_int_equal(lm_store_session_by_hash(c, s2.token_hash, &got), LM_QS_NONE);
	assert_int_equal(lm_store_session_by_hash(c, s1.token_hash, &got), LM_QS_ONE);
	/* the other three, and the API token, which expired at the same time */
	assert_int_equal(lm_store_purge_expired(c, 0, t0 + 3600001), 4);
	release(c);
}

/* ---- audit ------------------------------------------------------------- */

static int audit_key(void *ctx, const struct lm_audit *a)
{
	return keep(ctx, a->id);
}

static enum lm_qs list_audit(struct lm_conn *c, const struct lm_page *pg, struct keys *k)
{
	return lm_store_audit_list(c, NULL, pg, audit_key, k);
}

static int audit_copy(void *ctx, const struct lm_audit *a)
{
	*(struct lm_audit *)ctx = *a;
	return 1;
}

static void test_audit(void **state)
{
	struct lm_conn *c = writer();
	struct lm_audit a[25], got;
	struct lm_audit_filter f;
	struct keys all, k;
	char u1[LM_UUID_STRLEN], u2[LM_UUID_STRLEN], msg[128];

	lm_uuid_v7(u1);
	lm_uuid_v7(u2);
	for (int i = 0; i < 25; i++) {
		memset(&a[i], 0, sizeof(a[i]));
		lm_uuid_v7(a[i].id);
		a[i].at = 1764374400000 + i * 1000;
		PUT(a[i].user_id, i % 5 == 4 ? "" : i % 2 ? u2 : u1);
		PUT(a[i].username, i % 2 ? "u2" : "u1");
		a[i].role = i % 5 == 4 ? 0 : LM_ROLE_OFFICER;
		PUT(a[i].agency_id, "");
		PUT(a[i].action, i % 3 ? "crossing_point.read" : "user.read");
		PUT(a[i].object_type, i % 3 ? "crossing_point" : "user");
		PUT(a[i].object_id, i % 3 == 1 ? "CNRUI" : "CNWAN");
		PUT(a[i].ip, "2001:db8::1");
		PUT(a[i].purpose, "case 2026/117");
		lm_uuid_v7(a[i].request_id);
		a[i].outcome = i % 7 ? 200 : 403;
		assert_int_equal(lm_store_audit_append(c, &a[i]), LM_QS_ONE);
	}

	check_pages(c, list_audit, 25, 10, &all);
	for (int i = 0; i < 25; i++)
		assert_string_equal(all.k[i], a[i].id);
	assert_int_equal(lm_store_audit_list(c, NULL, NULL, audit_copy, &got), 1);
	assert_string_equal(got.id, a[0].id);
	assert_int_equal(got.at, a[0].at);
	assert_string_equal(got.user_id, a[0].user_id);
	assert_string_equal(got.username, "u1");
	assert_int_equal(got.role, LM_ROLE_OFFICER);
	assert_string_equal(got.action, "user.read");
	assert_string_equal(got.object_type, "user");
	assert_string_equal(got.object_id, "CNWAN");
	assert_string_equal(got.ip, "2001:db8::1");
	assert_string_equal(got.purpose, "case 2026/117");
	assert_string_equal(got.request_id, a[0].request_id);
	assert_int_equal(got.outcome, 403);

	/* Filters: count what the loop above made. */
	int n_u1 = 0, n_obj = 0, n_type = 0, n_range = 0, n_u1_obj = 0;
	for (int i = 0; i < 25; i++) {
		int is_u1 = !strcmp(a[i].user_id, u1);
		int is_obj =
		    !strcmp(a[i].object_type, "crossing_point") && !strcmp(a[i].object_id, "CNRUI");
		n_u1 += is_u1;
		n_obj += is_obj;
		n_u1_obj += is_u1 && is_obj;
		n_type += !strcmp(a[i].object_type, "crossing_point");
		n_range += i >= 5 && i < 12;
	}
	f = (struct lm_audit_filter){u1, NULL, NULL, LM_TIME_NONE, LM_TIME_NONE};
	memset(&k, 0, sizeof(k));
	assert_int_equal(lm_store_audit_list(c, &f, NULL, audit_key, &k), n_u1);
	f = (struct lm_audit_filter){NULL, "crossing_point", "CNRUI", LM_TIME_NONE, LM_TIME_NONE};
	memset(&k, 0, sizeof(k));
	assert_int_equal(lm_store_audit_list(c, &f, NULL, audit_key, &k), n_obj);
	f = (struct lm_audit_filter){u1, "crossing_point", "CNRUI", LM_TIME_NONE, LM_TIME_NONE};
	memset(&k, 0, sizeof(k));
	assert_int_equal(lm_store_audit_list(c, &f, NULL, audit_key, &k), n_u1_obj);
	f = (struct lm_audit_filter){NULL, "crossing_point", NULL, LM_TIME_NONE, LM_TIME_NONE};
	memset(&k, 0, sizeof(k));
	assert_int_equal(lm_store_audit_list(c, &f, NULL, audit_key, &k), n_type);
	f = (struct lm_audit_filter){NULL, NULL, NULL, a[5].at, a[12].at};
	memset(&k, 0, sizeof(k));
	assert_int_equal(lm_store_audit_list(c, &f, NULL, audit_key, &k), n_range);
	assert_string_equal(k.k[0], a[5].id);
	assert_string_equal(k.k[n_range - 1], a[11].id);
	f = (struct lm_audit_filter){"", NULL, NULL, LM_TIME_NONE, LM_TIME_NONE};
	memset(&k, 0, sizeof(k));
	assert_int_equal(lm_store_audit_list(c, &f, NULL, audit_key, &k), 5); /* system rows */

	assert_int_equal(lm_store_audit_append(c, &a[3]), LM_QS_HARD);
	assert_int_equal(lm_store_last_conflict(c), 1);
	release(c);

	/* Append-only, enforced by the database itself. */
	if (!need_sqlite_file())
		return;
	assert_int_not_equal(raw_exec(db_path, "UPDATE audit SET outcome = 200", msg, sizeof(msg)),
	                     SQLITE_OK);
	assert_non_null(strstr(msg, "append-only"));
	assert_int_not_equal(raw_exec(db_path, "DELETE FROM audit", msg, sizeof(msg)), SQLITE_OK);
	assert_non_null(strstr(msg, "append-only"));
	assert_int_equal(raw_int(db_path, "SELECT count(*) FROM audit"), 25);
	assert_int_equal(raw_int(db_path, "SELECT count(*) FROM audit WHERE outcome = 403"), 4);
}

/* ---- idempotency ------------------------------------------------------- */

static void test_idempotency(void **state)
{
	struct lm_conn *c = writer();
	struct lm_user u, v;
	struct lm_idem r, got;

	mk_user(&u, "poster", "");
	assert_int_equal(lm_store_user_insert(c, &u), LM_QS_ONE);
	mk_user(&v, "other", "");
	assert_int_equal(lm_store_user_insert(c, &v), LM_QS_ONE);

	assert_int_equal(lm_store_idem_get(c, u.id, "k-1", &got), LM_QS_NONE);
	memset(&r, 0, sizeof(r));
	PUT(r.key, "k-1");
	PUT(r.user_id, u.id);
	hash_of(r.request_hash, 0xabc);
	PUT(r.object_type, "incident");
	lm_uuid_v7(r.object_id);
	r.status = 201;
	r.created_at = 1764374400000;
	assert_int_equal(lm_store_idem_insert(c, &r), LM_QS_ONE);

	memset(&got, 0, sizeof(got));
	assert_int_equal(lm_store_idem_get(c, u.id, "k-1", &got), LM_QS_ONE);
	assert_string_equal(got.key, "k-1");
	assert_string_equal(got.user_id, u.id);
	assert_string_equal(got.request_hash, r.request_hash);
	assert_string_equal(got.object_type, "incident");
	assert_string_equal(got.object_id, r.object_id);
	assert_int_equal(got.status, 201);
	assert_int_equal(got.created_at, r.created_at);
	assert_int_equal(lm_store_idem_get(c, v.id, "k-1", &got), LM_QS_NONE);

	r.status = 500;
	assert_int_equal(lm_store_idem_insert(c, &r), LM_QS_HARD);
	assert_int_equal(lm_store_last_conflict(c), 1);
	assert_int_equal(lm_store_idem_get(c, u.id, "k-1", &got), LM_QS_ONE);
	assert_int_equal(got.status, 201); /* the first outcome stays */

	PUT(r.user_id, v.id); /* the same key for someone else is another key */
	assert_int_equal(lm_store_idem_insert(c, &r), LM_QS_ONE);

	/* Housekeeping: records older than the cut go, younger ones stay. */
	assert_int_equal(lm_store_purge_expired(c, r.created_at, 0), LM_QS_NONE);
	assert_int_equal(lm_store_idem_get(c, v.id, "k-1", &got), LM_QS_ONE);
	assert_int_equal(lm_store_purge_expired(c, r.created_at + 1, 0), 2);
	assert_int_equal(lm_store_idem_get(c, v.id, "k-1", &got), LM_QS_NONE);
	assert_int_equal(lm_store_idem_get(c, u.id, "k-1", &got), LM_QS_NONE);
	release(c);
}

/* ---- crossing points and status ---------------------------------------- */

static int point_key(void *ctx, const struct lm_crossing_point *p)
{
	return keep(ctx, p->code);
}

static enum lm_qs list_points(struct lm_conn *c, const struct lm_page *pg, struct keys *k)
{
	return lm_store_point_list(c, pg, point_key, k);
}

static void assert_point_equal(const struct lm_crossing_point *a, const struct lm_crossing_point *b)
{
	assert_string_equal(a->id, b->id);
	assert_string_equal(a->code, b->code);
	assert_string_equal(a->name, b->name);
	assert_string_equal(a->name_other, b->name_other);
	assert_string_equal(a->country, b->country);
	assert_string_equal(a->country_other, b->country_other);
	assert_string_equal(a->kind, b->kind);
	assert_int_equal(a->modes, b->modes);
	assert_int_equal(a->lanes, b->lanes);
	assert_true(a->lon == b->lon);
	assert_true(a->lat == b->lat);
	assert_int_equal(a->position_approximate, b->position_approximate);
	assert_string_equal(a->tz, b->tz);
	assert_string_equal(a->hours, b->hours);
	assert_int_equal(a->capacity_trucks_per_day, b->capacity_trucks_per_day);
	assert_int_equal(a->capacity_persons_per_day, b->capacity_persons_per_day);
	assert_string_equal(a->note, b->note);
	assert_int_equal(a->created_at, b->created_at);
	assert_int_equal(a->updated_at, b->updated_at);
}

static void test_points(void **state)
{
	struct lm_conn *c = writer();
	struct lm_crossing_point p, got, q;
	struct keys all;
	char code[8];

	mk_point(&p, "CNRUI");
	assert_int_equal(lm_store_point_insert(c, &p), LM_QS_ONE);
	assert_int_equal(lm_store_point_get(c, p.id, &got), LM_QS_ONE);
	assert_point_equal(&got, &p);
	assert_int_equal(got.version, 1);
	memset(&got, 0, sizeof(got));
	assert_int_equal(lm_store_point_get(c, "CNRUI", &got), LM_QS_ONE);
	assert_point_equal(&got, &p);
	assert_int_equal(lm_store_point_get(c, "CNXXX", &got), LM_QS_NONE);

	q = got;
	PUT(q.name, "Ruili (Jiegao)");
	q.modes = LM_MODE_VEHICLE;
	q.lon = -179.5;
	q.position_approximate = 0;
	PUT(q.hours, "");
	q.updated_at = p.updated_at + 60000;
	assert_int_equal(lm_store_point_update(c, &q, 1), LM_QS_ONE);
	assert_int_equal(lm_store_point_get(c, p.id, &got), LM_QS_ONE);
	assert_point_equal(&got, &q);
	assert_int_equal(got.version, 2);
	assert_int_equal(got.created_at, p.created_at);
	PUT(q.name, "stale");
	assert_int_equal(lm_store_point_update(c, &q, 1), LM_QS_NONE);
	assert_int_equal(lm_store_point_get(c, p.id, &got), LM_QS_ONE);
	assert_string_equal(got.name, "Ruili (Jiegao)");

	mk_point(&q, "CNRUI");
	assert_int_equal(lm_store_point_insert(c, &q), LM_QS_HARD);
	assert_int_equal(lm_store_last_conflict(c), 1);
	mk_point(&q, "CNBAD");
	q.lat = 91;
	assert_int_equal(lm_store_point_insert(c, &q), LM_QS_HARD);
	assert_int_equal(lm_store_last_conflict(c), 0);

	for (int i = 0; i < 24; i++) {
		snprintf(code, sizeof(code), "CNA%02d", (i * 5) % 24);
		mk_point(&q, code);
		assert_int_equal(lm_store_point_insert(c, &q), LM_QS_ONE);
	}
	check_pages(c, list_points, 25, 10, &all);
	assert_string_equal(all.k[0], "CNA00");
	assert_string_equal(all.k[23], "CNA23");
	assert_string_equal(all.k[24], "CNRUI");
	release(c);
}

static int status_copy(void *ctx, const struct lm_status_change *s)
{
	struct lm_status_change *out = ctx;
	int i = 0;

	while (out[i].id[0])
		i++;
	assert_true(i < 8);
	out[i] = *s;
	return 0;
}

static void test_status_order(void **state)
{
	struct lm_conn *c = writer();
	struct lm_crossing_point p;
	struct lm_user u;
	struct lm_status_change s, got[9];
	const lm_time_ms t = 1764374400000;
	/* (from, created_at) inserted out of order; expected order is by index. */
	static const struct {
		int order;
		lm_time_ms from, created;
	} rows[] = {{3, 300, 10}, {0, 100, 50}, {5, 400, 5},
	            {2, 200, 99}, {1, 200, 1},  {4, 300, 20}};
	int n = sizeof(rows) / sizeof(rows[0]);
	char ids[6][LM_UUID_STRLEN];

	mk_point(&p, "CNWAN");
	assert_int_equal(lm_store_point_insert(c, &p), LM_QS_ONE);
	mk_user(&u, "commander", "");
	assert_int_equal(lm_store_user_insert(c, &u), LM_QS_ONE);
	for (int i = 0; i < n; i++) {
		memset(&s, 0, sizeof(s));
		lm_uuid_v7(s.id);
		memcpy(ids[rows[i].order], s.id, sizeof(s.id));
		PUT(s.point_id, p.id);
		s.state = rows[i].order % 2 ? LM_CP_CLOSED : LM_CP_RESTRICTED;
		s.directions = rows[i].order == 2 ? LM_DIR_EXIT : 0;
		s.modes = rows[i].order == 2 ? LM_MODE_CARGO : 0;
		PUT(s.goods, rows[i].order == 2 ? "timber" : "");
		PUT(s.reason, "fighting near Muse; refugees at the gate");
		PUT(s.set_by, rows[i].order == 5 ? "" : u.id);
		s.from = t + rows[i].from;
		s.until = rows[i].order == 0 ? t + 150 : LM_TIME_NONE;
		s.created_at = t + rows[i].created;
		assert_int_equal(lm_store_status_insert(c, &s), LM_QS_ONE);
	}

	memset(got, 0, sizeof(got));
	assert_int_equal(lm_store_status_list(c, p.id, status_copy, got), n);
	for (int i = 0; i < n; i++)
		assert_string_equal(got[i].id, ids[i]);
	for (int i = 1; i < n; i++)
		assert_true(
		    got[i - 1].from < got[i].from ||
		    (got[i - 1].from == got[i].from && got[i - 1].created_at <= got[i].created_at));
	assert_int_equal(got[0].until, t + 150);
	assert_true(got[1].until == LM_TIME_NONE);
	assert_int_equal(got[2].directions, LM_DIR_EXIT);
	assert_int_equal(got[2].modes, LM_MODE_CARGO);
	assert_string_equal(got[2].goods, "timber");
	assert_int_equal(got[1].state, LM_CP_CLOSED);
	assert_int_equal(got[2].state, LM_CP_RESTRICTED);
	assert_string_equal(got[2].reason, "fighting near Muse; refugees at the gate");
	assert_string_equal(got[2].set_by, u.id);
	assert_string_equal(got[5].set_by, "");
	assert_string_equal(got[2].point_id, p.id);

	/* until must lie after from; an unknown point is refused. */
	lm_uuid_v7(s.id);
	s.until = s.from;
	assert_int_equal(lm_store_status_insert(c, &s), LM_QS_HARD);
	lm_uuid_v7(s.id);
	s.until = LM_TIME_NONE;
	lm_uuid_v7(s.point_id);
	assert_int_equal(lm_store_status_insert(c, &s), LM_QS_HARD);
	assert_int_equal(lm_store_status_list(c, s.point_id, status_copy, got), LM_QS_NONE);
	release(c);
}

/* ---- segments, markers, inspections ------------------------------------ */

/* A LINESTRING of n points along the border, as core/geo would write it. */
static char *long_wkt(int n)
{
	size_t cap = (size_t)n * 32 + 32, len;
	char *w = malloc(cap);

	assert_non_null(w);
	len = (size_t)snprintf(w, cap, "LINESTRING(");
	for (int i = 0; i < n; i++)
		len += (size_t)snprintf(w + len, cap - len, "%s%.6f %.6f", i ? ", " : "",
		                        97.5 + i * 0.0001, 23.9 + (i % 97) * 0.00037);
	len += (size_t)snprintf(w + len, cap - len, ")");
	assert_true(len < cap);
	return w;
}

struct seg_seen {
	struct keys k;
	size_t wkt_len[64];
};

static int segment_key(void *ctx, const struct lm_segment *s)
{
	struct seg_seen *seen = ctx;

	seen->wkt_len[seen->k.n] = strlen(s->wkt);
	return keep(&seen->k, s->code);
}

static enum lm_qs list_segments(struct lm_conn *c, const struct lm_page *pg, struct keys *k)
{
	struct seg_seen seen = {0};
	enum lm_qs qs = lm_store_segment_list(c, pg, segment_key, &seen);

	for (int i = 0; i < seen.k.n; i++) {
		assert_true(seen.wkt_len[i] > 10);
		keep(k, seen.k.k[i]);
	}
	return qs;
}

static void test_segments(void **state)
{
	struct lm_conn *c = writer();
	struct lm_segment s, got, q;
	struct seg_seen seen = {0};
	struct keys all;
	char *wkt = long_wkt(10000), shortw[] = "LINESTRING(97.5 23.9, 97.6 24.0)", code[16];

	assert_true(strlen(wkt) > 200000);
	mk_segment(&s, "CN-MM-001", wkt);
	assert_int_equal(lm_store_segment_insert(c, &s), LM_QS_ONE);

	assert_int_equal(lm_store_segment_get(c, s.id, &got), LM_QS_ONE);
	assert_non_null(got.wkt);
	assert_true(got.wkt != wkt);
	assert_int_equal(strlen(got.wkt), strlen(wkt));
	assert_string_equal(got.wkt, wkt);
	assert_string_equal(got.code, "CN-MM-001");
	assert_string_equal(got.name, s.name);
	assert_string_equal(got.country_a, "CN");
	assert_string_equal(got.country_b, "MM");
	assert_true(got.length_m == 1234.5);
	assert_int_equal(got.version, 1);
	lm_segment_release(&got);
	assert_null(got.wkt);
	lm_segment_release(&got); /* twice is harmless */

	assert_int_equal(lm_store_segment_get(c, "CN-MM-001", &got), LM_QS_ONE);
	assert_string_equal(got.wkt, wkt);
	lm_segment_release(&got);
	got.wkt = NULL;
	assert_int_equal(lm_store_segment_get(c, "CN-MM-404", &got), LM_QS_NONE);
	assert_null(got.wkt);

	q = s;
	q.wkt = shortw;
	q.length_m = 15000;
	q.updated_at += 1;
	assert_int_equal(lm_store_segment_update(c, &q, 1), LM_QS_ONE);
	assert_int_equal(lm_store_segment_update(c, &q, 1), LM_QS_NONE);
	assert_int_equal(lm_store_segment_get(c, s.id, &got), LM_QS_ONE);
	assert_string_equal(got.wkt, shortw);
	assert_int_equal(got.version, 2);
	assert_true(got.length_m == 15000);
	assert_int_equal(got.updated_at, s.updated_at + 1);
	lm_segment_release(&got);

	mk_segment(&q, "CN-MM-001", shortw);
	assert_int_equal(lm_store_segment_insert(c, &q), LM_QS_HARD);
	assert_int_equal(lm_store_last_conflict(c), 1);

	/* The list's wkt is borrowed and whole. */
	assert_int_equal(lm_store_segment_list(c, NULL, segment_key, &seen), 1);
	assert_int_equal(seen.wkt_len[0], strlen(shortw));
	for (int i = 0; i < 24; i++) {
		snprintf(code, sizeof(code), "CN-MM-%03d", 100 + (i * 11) % 24);
		mk_segment(&q, code, shortw);
		assert_int_equal(lm_store_segment_insert(c, &q), LM_QS_ONE);
	}
	check_pages(c, list_segments, 25, 10, &all);
	assert_string_equal(all.k[0], "CN-MM-001");
	assert_string_equal(all.k[1], "CN-MM-100");
	assert_string_equal(all.k[24], "CN-MM-123");
	free(wkt);
	release(c);
}

static int marker_key(void *ctx, const struct lm_marker *m)
{
	return keep(ctx, m->pillar);
}

static enum lm_qs list_markers(struct lm_conn *c, const struct lm_page *pg, struct keys *k)
{
	return lm_store_marker_list(c, pg, marker_key, k);
}

static int inspection_key(void *ctx, const struct lm_inspection *i)
{
	return keep(ctx, i->id);
}

static void test_markers_and_inspections(void **state)
{
	struct lm_conn *c = writer();
	char wkt[] = "LINESTRING(97.5 23.9, 97.6 24.0)", pillar[16];
	struct lm_segment seg;
	struct lm_marker m, got, q;
	struct lm_inspection in[4];
	struct lm_user u;
	struct keys all, k = {0};
	static const lm_time_ms when[4] = {300, 100, 400, 200};

	mk_segment(&seg, "CN-MM-127", wkt);
	assert_int_equal(lm_store_segment_insert(c, &seg), LM_QS_ONE);
	mk_marker(&m, "127/1", seg.id);
	assert_int_equal(lm_store_marker_insert(c, &m), LM_QS_ONE);

	assert_int_equal(lm_store_marker_get(c, "127/1", &got), LM_QS_ONE);
	assert_string_equal(got.id, m.id);
	assert_string_equal(got.segment_id, seg.id);
	assert_true(got.lon == 97.9 && got.lat == 24.1);
	assert_int_equal(got.condition, LM_MARKER_INTACT);
	assert_string_equal(got.note, "concrete, 1.2 m");
	assert_int_equal(got.created_at, m.created_at);
	assert_int_equal(got.updated_at, m.updated_at);
	assert_int_equal(got.version, 1);
	assert_int_equal(lm_store_marker_get(c, m.id, &got), LM_QS_ONE);
	assert_string_equal(got.pillar, "127/1");
	assert_int_equal(lm_store_marker_get(c, "127/2", &got), LM_QS_NONE);

	q = got;
	q.condition = LM_MARKER_DAMAGED;
	PUT(q.segment_id, "");
	q.updated_at += 5;
	assert_int_equal(lm_store_marker_update(c, &q, 1), LM_QS_ONE);
	assert_int_equal(lm_store_marker_update(c, &q, 1), LM_QS_NONE);
	assert_int_equal(lm_store_marker_get(c, m.id, &got), LM_QS_ONE);
	assert_int_equal(got.condition, LM_MARKER_DAMAGED);
	assert_string_equal(got.segment_id, "");
	assert_int_equal(got.version, 2);
	assert_int_equal(got.updated_at, m.updated_at + 5);

	/* The inspection's narrow update: condition, time, version; nothing else moves. */
	assert_int_equal(
	    lm_store_marker_set_condition(c, m.id, LM_MARKER_MISSING, got.updated_at + 7, 2),
	    LM_QS_ONE);
	assert_int_equal(lm_store_marker_set_condition(c, m.id, LM_MARKER_INTACT, 0, 2),
	                 LM_QS_NONE);
	assert_int_equal(lm_store_marker_get(c, m.id, &got), LM_QS_ONE);
	assert_int_equal(got.condition, LM_MARKER_MISSING);
	assert_int_equal(got.version, 3);
	assert_int_equal(got.updated_at, m.updated_at + 12);
	assert_string_equal(got.note, "concrete, 1.2 m");
	assert_string_equal(got.pillar, "127/1");
	assert_int_equal(lm_store_marker_set_condition(c, m.id, (enum lm_marker_condition)9, 0, 3),
	                 LM_QS_HARD);
	q.condition = (enum lm_marker_condition)5;
	assert_int_equal(lm_store_marker_update(c, &q, 3), LM_QS_HARD);
	mk_marker(&q, "127/1", "");
	assert_int_equal(lm_store_marker_insert(c, &q), LM_QS_HARD);
	assert_int_equal(lm_store_last_conflict(c), 1);

	for (int i = 0; i < 24; i++) {
		snprintf(pillar, sizeof(pillar), "%03d", (i * 7) % 24);
		mk_marker(&q, pillar, i % 2 ? seg.id : "");
		assert_int_equal(lm_store_marker_insert(c, &q), LM_QS_ONE);
	}
	check_pages(c, list_markers, 25, 10, &all);
	assert_string_equal(all.k[0], "000");
	assert_string_equal(all.k[23], "023");
	assert_string_equal(all.k[24], "127/1");

	mk_user(&u, "patrol", "");
	assert_int_equal(lm_store_user_insert(c, &u), LM_QS_ONE);
	for (int i = 0; i < 4; i++) {
		memset(&in[i], 0, sizeof(in[i]));
		lm_uuid_v7(in[i].id);
		PUT(in[i].marker_id, m.id);
		in[i].inspected_at = 1764374400000 + when[i];
		PUT(in[i].inspector_id, i == 3 ? "" : u.id);
		in[i].condition = i == 2 ? LM_MARKER_MISSING : LM_MARKER_DAMAGED;
		PUT(in[i].note, "paint flaking");
		in[i].created_at = 1764374500000;
		assert_int_equal(lm_store_inspection_insert(c, &in[i]), LM_QS_ONE);
	}
	{
		lm_time_ms latest = 0;
		assert_int_equal(lm_store_inspection_latest(c, m.id, &latest), LM_QS_ONE);
		assert_int_equal(latest,
		                 1764374400000 + 400); /* the max of when[], not the last insert */
		assert_int_equal(lm_store_inspection_latest(c, q.id, &latest), LM_QS_NONE);
	}
	assert_int_equal(lm_store_inspection_list(c, m.id, inspection_key, &k), 4);
	/* With inspections, the marker cannot be deleted: its history stays. */
	assert_int_equal(lm_store_registry_delete(c, LM_REG_MARKER, m.id, 3), LM_QS_HARD);
	assert_int_equal(lm_store_last_conflict(c), LM_CONFLICT_REFERENCED);
	assert_int_equal(lm_store_registry_delete(c, LM_REG_MARKER, q.id, 99), LM_QS_NONE);
	assert_int_equal(lm_store_registry_delete(c, LM_REG_MARKER, q.id, 1), LM_QS_ONE);
	assert_int_equal(lm_store_marker_get(c, q.id, &got), LM_QS_NONE);
	assert_string_equal(k.k[0], in[1].id);
	assert_string_equal(k.k[1], in[3].id);
	assert_string_equal(k.k[2], in[0].id);
	assert_string_equal(k.k[3], in[2].id);
	lm_uuid_v7(in[0].id);
	lm_uuid_v7(in[0].marker_id);
	assert_int_equal(lm_store_inspection_insert(c, &in[0]), LM_QS_HARD); /* no such marker */
	assert_int_equal(lm_store_inspection_list(c, in[0].marker_id, inspection_key, &k),
	                 LM_QS_NONE);
	release(c);
}

/* ---- hostile and exotic text ------------------------------------------- */

static void test_metacharacters(void **state)
{
	struct lm_conn *c = writer();
	struct lm_agency a, got;
	struct lm_crossing_point p, pgot;
	struct lm_user u, ugot;
	struct keys k = {0};
	struct lm_page pg = {"", 0};
	static const char drop[] = "'; DROP TABLE users; --";
	static const char quotes[] = "O'Brien \"Bobby\" `x` \\ % _ ; /* */";
	static const char burmese[] = "မူဆယ် ကုန်သွယ်ရေးဇုန်";   /* Muse trade zone */
	static const char chinese[] = "瑞丽 · 畹町口岸"; /* Ruili, Wanding port */

	mk_agency(&a, drop);
	PUT(a.name, quotes);
	PUT(a.kind, "x'y");
	assert_int_equal(lm_store_agency_insert(c, &a), LM_QS_ONE);
	assert_int_equal(lm_store_agency_get(c, drop, &got), LM_QS_ONE);
	assert_memory_equal(got.code, drop, sizeof(drop));
	assert_memory_equal(got.name, quotes, sizeof(quotes));
	assert_string_equal(got.kind, "x'y");

	mk_user(&u, drop, a.id);
	PUT(u.display_name, burmese);
	assert_int_equal(lm_store_user_insert(c, &u), LM_QS_ONE);
	assert_int_equal(lm_store_user_get(c, drop, &ugot), LM_QS_ONE);
	assert_memory_equal(ugot.display_name, burmese, sizeof(burmese));

	mk_point(&p, "MMMSE");
	PUT(p.name, burmese);
	PUT(p.name_other, chinese);
	PUT(p.note, drop);
	assert_int_equal(lm_store_point_insert(c, &p), LM_QS_ONE);
	assert_int_equal(lm_store_point_get(c, "MMMSE", &pgot), LM_QS_ONE);
	assert_memory_equal(pgot.name, burmese, sizeof(burmese));
	assert_memory_equal(pgot.name_other, chinese, sizeof(chinese));
	assert_memory_equal(pgot.note, drop, sizeof(drop));

	/* The users table is still there, and a hostile cursor is just a string. */
	assert_int_equal(lm_store_user_list(c, NULL, user_key, &k), 1);
	assert_string_equal(k.k[0], drop);
	put(pg.after, sizeof(pg.after), drop);
	memset(&k, 0, sizeof(k));
	assert_int_equal(lm_store_user_list(c, &pg, user_key, &k), LM_QS_NONE);
	put(pg.after, sizeof(pg.after), "zz' OR 1=1 --");
	assert_int_equal(lm_store_user_list(c, &pg, user_key, &k), LM_QS_NONE);
	assert_int_equal(lm_store_agency_get(c, "' OR '1'='1", &got), LM_QS_NONE);
	release(c);
}

static void test_too_long_stored_value(void **state)
{
	struct lm_conn *c;
	struct lm_agency a, got;

	if (!need_sqlite_file())
		skip();
	c = writer();
	mk_agency(&a, "AG-LONG");
	assert_int_equal(lm_store_agency_insert(c, &a), LM_QS_ONE);
	release(c);

	/* 161 bytes where the field holds 160: must fail, never truncate. */
	assert_int_equal(
	    raw_exec(db_path,
	             "UPDATE agencies SET name = replace(hex(zeroblob(161)), '00', 'x')"
	             " WHERE code = 'AG-LONG'",
	             NULL, 0),
	    SQLITE_OK);
	c = reader();
	assert_int_equal(lm_store_agency_get(c, "AG-LONG", &got), LM_QS_HARD);
	assert_non_null(strstr(lm_store_errmsg(c), "name"));
	assert_int_equal(lm_store_agency_list(c, NULL, count_agency, &(int){0}), LM_QS_HARD);
	release(c);

	/* Exactly 160 fits. */
	assert_int_equal(
	    raw_exec(db_path,
	             "UPDATE agencies SET name = replace(hex(zeroblob(160)), '00', 'x')"
	             " WHERE code = 'AG-LONG'",
	             NULL, 0),
	    SQLITE_OK);
	c = reader();
	assert_int_equal(lm_store_agency_get(c, "AG-LONG", &got), LM_QS_ONE);
	assert_int_equal(strlen(got.name), LM_NAME_MAX);
	release(c);
}

/* ---- transactions and connections -------------------------------------- */

static void test_rollback(void **state)
{
	struct lm_conn *c = writer();
	struct lm_agency a, b, got;
	struct lm_user u;

	mk_agency(&a, "AG-RB");
	mk_agency(&b, "AG-RB2");
	mk_user(&u, "rb", a.id);
	assert_int_equal(lm_store_begin(c), LM_QS_NONE);
	assert_int_equal(lm_store_agency_insert(c, &a), LM_QS_ONE);
	assert_int_equal(lm_store_user_insert(c, &u), LM_QS_ONE);
	assert_int_equal(lm_store_agency_get(c, "AG-RB", &got), LM_QS_ONE); /* own writes */
	lm_store_rollback(c);
	assert_int_equal(lm_store_agency_get(c, "AG-RB", &got), LM_QS_NONE);
	assert_int_equal(lm_store_user_get(c, "rb", &u), LM_QS_NONE);
	lm_store_rollback(c); /* outside a transaction: nothing happens */

	/* Releasing a connection mid-transaction rolls it back. */
	assert_int_equal(lm_store_begin(c), LM_QS_NONE);
	assert_int_equal(lm_store_agency_insert(c, &b), LM_QS_ONE);
	release(c);
	c = writer();
	assert_int_equal(lm_store_agency_get(c, "AG-RB2", &got), LM_QS_NONE);

	/* A commit keeps. */
	assert_int_equal(lm_store_begin(c), LM_QS_NONE);
	assert_int_equal(lm_store_agency_insert(c, &b), LM_QS_ONE);
	assert_int_equal(lm_store_commit(c), LM_QS_NONE);
	assert_int_equal(count_agencies(c), 1);
	release(c);
}

static void test_reader_isolation(void **state)
{
	struct lm_conn *w, *r;
	struct lm_agency a, b, got;

	if (memory)
		skip(); /* one connection serves both kinds there */
	w = writer();
	r = reader();
	assert_true(w != r);
	mk_agency(&a, "AG-ISO");
	assert_int_equal(lm_store_begin(w), LM_QS_NONE);
	assert_int_equal(lm_store_agency_insert(w, &a), LM_QS_ONE);
	assert_int_equal(lm_store_agency_get(r, "AG-ISO", &got), LM_QS_NONE); /* not committed */
	assert_int_equal(lm_store_commit(w), LM_QS_NONE);
	assert_int_equal(lm_store_agency_get(r, "AG-ISO", &got), LM_QS_ONE);

	/* A reader's transaction is one snapshot. */
	assert_int_equal(lm_store_begin(r), LM_QS_NONE);
	assert_int_equal(count_agencies(r), 1);
	mk_agency(&b, "AG-ISO2");
	assert_int_equal(lm_store_agency_insert(w, &b), LM_QS_ONE);
	assert_int_equal(count_agencies(r), 1);
	assert_int_equal(lm_store_agency_get(r, "AG-ISO2", &got), LM_QS_NONE);
	assert_int_equal(lm_store_commit(r), LM_QS_NONE);
	assert_int_equal(count_agencies(r), 2);

	/* A reader cannot write. */
	mk_agency(&b, "AG-ISO3");
	assert_int_equal(lm_store_agency_insert(r, &b), LM_QS_HARD);
	assert_int_equal(lm_store_last_conflict(r), 0);
	release(r);
	release(w);
}

#define WRITERS 4
#define WRITES  500

static void *write_many(void *arg)
{
	int t = *(int *)arg, failures = 0;

	for (int i = 0; i < WRITES; i++) {
		struct lm_agency a;
		char code[16];
		enum lm_qs qs;
		int tries = 0;

		snprintf(code, sizeof(code), "T%d-%04d", t, i);
		mk_agency(&a, code);
		do {
			struct lm_conn *c = lm_store_acquire(st, LM_CONN_WRITE);
			qs = lm_store_begin(c);
			if (qs >= 0)
				qs = lm_store_agency_insert(c, &a);
			if (qs >= 0)
				qs = lm_store_commit(c);
			if (qs < 0)
				lm_store_rollback(c);
			lm_store_release(c); /* not held: threads do not longjmp */
		} while (qs == LM_QS_SOFT && ++tries < 10);
		failures += qs != LM_QS_NONE;
	}
	return (void *)(intptr_t)failures;
}

static void test_concurrent_writers(void **state)
{
	pthread_t th[WRITERS];
	int ids[WRITERS];
	struct lm_conn *c;
	struct lm_agency got;

	for (int i = 0; i < WRITERS; i++) {
		ids[i] = i;
		assert_int_equal(pthread_create(&th[i], NULL, write_many, &ids[i]), 0);
	}
	for (int i = 0; i < WRITERS; i++) {
		void *failures;
		assert_int_equal(pthread_join(th[i], &failures), 0);
		assert_int_equal((intptr_t)failures, 0);
	}
	c = reader();
	assert_int_equal(count_agencies(c), WRITERS * WRITES);
	assert_int_equal(lm_store_agency_get(c, "T0-0000", &got), LM_QS_ONE);
	assert_int_equal(lm_store_agency_get(c, "T3-0499", &got), LM_QS_ONE);
	release(c);
}

struct waiter {
	struct lm_conn *got;
};

static void *acquire_reader(void *arg)
{
	struct waiter *w = arg;

	w->got = lm_store_acquire(st, LM_CONN_READ);
	lm_store_release(w->got);
	return NULL;
}

/* SQLite-specific: the pool holds 16 readers. */
static void test_reader_pool_waits(void **state)
{
	struct lm_conn *r[16];
	struct lm_agency got;
	struct waiter w = {NULL};
	pthread_t th;

	if (memory || strcmp(lm_store_backend(st), "sqlite") != 0)
		skip();
	for (int i = 0; i < 16; i++) {
		r[i] = reader();
		assert_non_null(r[i]);
		for (int j = 0; j < i; j++)
			assert_true(r[i] != r[j]);
		assert_int_equal(lm_store_agency_get(r[i], "none", &got), LM_QS_NONE);
	}
	/* All busy: the 17th waits until one comes back, and gets that one. */
	assert_int_equal(pthread_create(&th, NULL, acquire_reader, &w), 0);
	release(r[7]);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_true(w.got == r[7]);
	for (int i = 0; i < 16; i++)
		if (i != 7)
			release(r[i]);
}

/* Caches in app/ rely on this: any commit, from any connection, moves the number. */
static void test_data_version(void **state)
{
	struct lm_conn *c;
	struct lm_agency a;
	uint64_t v0, v1, v2;

	(void)state;
	if (!need_sqlite_file())
		skip(); /* in memory there is one process and one connection: 0 by contract */
	c = writer();
	mk_agency(&a, "DV-0");
	assert_int_equal(lm_store_agency_insert(c, &a), LM_QS_ONE);
	release(c);
	v0 = lm_store_data_version(st);
	assert_true(v0 != 0);
	assert_true(lm_store_data_version(st) == v0); /* nothing committed: unchanged */
	c = writer();
	mk_agency(&a, "DV-1");
	assert_int_equal(lm_store_agency_insert(c, &a), LM_QS_ONE);
	release(c);
	v1 = lm_store_data_version(st);
	assert_true(v1 != v0);
	/* A second store on the same file stands for another process. */
	{
		struct lm_store *other = open_migrated(url);
		c = lm_store_acquire(other, LM_CONN_WRITE);
		mk_agency(&a, "DV-2");
		assert_int_equal(lm_store_agency_insert(c, &a), LM_QS_ONE);
		lm_store_release(c);
		lm_store_free(other);
	}
	v2 = lm_store_data_version(st);
	assert_true(v2 != v1);
}

static void test_backup(void **state)
{
	char path[PATH_MAX + 32], u[PATH_MAX + 48];
	struct lm_conn *c;
	struct lm_agency a, got;
	struct lm_segment seg;
	struct lm_store *copy = NULL;
	struct lm_error err;
	struct stat sb;
	char wkt[] = "LINESTRING(1 2, 3 4)";
	int cur, latest, n;

	c = writer();
	for (int i = 0; i < 30; i++) {
		char code[16];
		snprintf(code, sizeof(code), "BK-%02d", i);
		mk_agency(&a, code);
		assert_int_equal(lm_store_agency_insert(c, &a), LM_QS_ONE);
	}
	mk_segment(&seg, "SEG-BK", wkt);
	assert_int_equal(lm_store_segment_insert(c, &seg), LM_QS_ONE);
	n = count_agencies(c);
	release(c);

	scratch(path, sizeof(path), "bak");
	lm_error_init(&err);
	assert_int_equal(lm_store_backup(st, path, &err), LM_OK);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(lm_store_backup(st, path, &err), LM_EEXISTS);
	assert_non_null(strstr(err.msg, path));

	url_for(u, sizeof(u), path);
	assert_int_equal(lm_store_open(u, 0, &copy, &err), LM_OK);
	assert_int_equal(lm_store_was_empty(copy), 0);
	assert_int_equal(lm_store_schema_version(copy, &cur, &latest, &err), LM_OK);
	assert_int_equal(cur, latest);
	c = lm_store_acquire(copy, LM_CONN_READ);
	assert_int_equal(count_agencies(c), n);
	assert_int_equal(lm_store_agency_get(c, a.id, &got), LM_QS_ONE);
	assert_string_equal(got.code, "BK-29");
	assert_int_equal(lm_store_segment_get(c, "SEG-BK", &seg), LM_QS_ONE);
	assert_string_equal(seg.wkt, wkt);
	lm_segment_release(&seg);
	lm_store_release(c);
	lm_store_free(copy);
	remove_db(path);
}

static void test_readonly_store(void **state)
{
	struct lm_store *ro = NULL;
	struct lm_conn *c;
	struct lm_agency a, got;
	struct lm_error err;

	if (!need_sqlite_file())
		skip();
	c = writer();
	mk_agency(&a, "AG-RO");
	assert_int_equal(lm_store_agency_insert(c, &a), LM_QS_ONE);
	release(c);

	lm_error_init(&err);
	assert_int_equal(lm_store_open(url, LM_STORE_READONLY, &ro, &err), LM_OK);
	c = lm_store_acquire(ro, LM_CONN_WRITE);
	assert_int_equal(lm_store_agency_get(c, "AG-RO", &got), LM_QS_ONE);
	mk_agency(&a, "AG-RO2");
	assert_int_equal(lm_store_agency_insert(c, &a), LM_QS_HARD);
	assert_int_equal(lm_store_last_conflict(c), 0);
	lm_store_release(c);
	lm_store_free(ro);
}

/* ---- main -------------------------------------------------------------- */

static int suite_setup(void **state)
{
	const char *u = getenv("LIMES_STORE_URL");
	const char *path;

	if (lm_uuid_global_init() != 0)
		return -1;
	if (u && *u) {
		snprintf(url, sizeof(url), "%s", u);
	} else {
		/* Run by hand: keep the scratch files out of the source tree. */
		snprintf(url, sizeof(url), "sqlite:/tmp/limes_test_store.%ld.db", (long)getpid());
	}
	u = url;
	path = strncmp(u, "sqlite:", 7) == 0 ? u + 7 : strstr(u, "://") ? NULL : u;
	memory = path && strcmp(path, ":memory:") == 0;
	if (path && !memory)
		snprintf(db_path, sizeof(db_path), "%s", path);
	return 0;
}

static int suite_teardown(void **state)
{
	static const char *const scratches[] = {"missing", "fresh", "foreign", "newer", "bak"};
	char path[PATH_MAX + 32];

	for (size_t i = 0; i < sizeof(scratches) / sizeof(scratches[0]); i++)
		scratch(path, sizeof(path), scratches[i]); /* removes it */
	if (db_path[0])
		remove_db(db_path);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_open_missing),
	    cmocka_unit_test(test_create_and_migrate),
	    cmocka_unit_test(test_foreign_database_refused),
	    cmocka_unit_test(test_newer_schema_refused),
	    cmocka_unit_test_setup_teardown(test_agencies, fresh, done),
	    cmocka_unit_test_setup_teardown(test_users, fresh, done),
	    cmocka_unit_test_setup_teardown(test_user_points, fresh, done),
	    cmocka_unit_test_setup_teardown(test_sessions, fresh, done),
	    cmocka_unit_test_setup_teardown(test_audit, fresh, done),
	    cmocka_unit_test_setup_teardown(test_idempotency, fresh, done),
	    cmocka_unit_test_setup_teardown(test_points, fresh, done),
	    cmocka_unit_test_setup_teardown(test_status_order, fresh, done),
	    cmocka_unit_test_setup_teardown(test_segments, fresh, done),
	    cmocka_unit_test_setup_teardown(test_markers_and_inspections, fresh, done),
	    cmocka_unit_test_setup_teardown(test_metacharacters, fresh, done),
	    cmocka_unit_test_setup_teardown(test_too_long_stored_value, fresh, done),
	    cmocka_unit_test_setup_teardown(test_rollback, fresh, done),
	    cmocka_unit_test_setup_teardown(test_reader_isolation, fresh, done),
	    cmocka_unit_test_setup_teardown(test_concurrent_writers, fresh, done),
	    cmocka_unit_test_setup_teardown(test_reader_pool_waits, fresh, done),
	    cmocka_unit_test_setup_teardown(test_data_version, fresh, done),
	    cmocka_unit_test_setup_teardown(test_backup, fresh, done),
	    cmocka_unit_test_setup_teardown(test_readonly_store, fresh, done),
	};

	return cmocka_run_group_tests(tests, suite_setup, suite_teardown);
}
