/*
 * test_cli.c - the `limes` command line as a script sees it: exit codes,
 * what goes to stdout and what to stderr, and the effect of each command on
 * the database file.
 *
 * The contract under test (src/cli/cli.h, docs/cli.md):
 *	0 success, 1 failure, 2 usage error, 3 database unusable, 4 cannot listen;
 *	an error is one line on stderr and nothing on stdout.
 *
 * Every test runs in its own temporary directory, which is also the current
 * directory, so relative paths ("a.db") and the default ./limes.db land
 * there. A demo database is made once (`limes init`) and copied by the tests
 * that need one, because loading the demo border hashes a password per demo
 * user and takes seconds under the sanitizers.
 *
 * Commands are run through the harness (lt_cli), which passes
 * LIMES_ADMIN_PASSWORD and LIMES_DEMO_PASSWORD and no other LIMES_* variable
 * unless a test sets one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

/* A NULL-terminated argument list for lt_cli, written inline. */
#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* Every command, for the --help test. */
static const char *const commands[] = {"serve",  "init",   "user",    "migrate",
                                       "backup", "routes", "version", NULL};

static char start_dir[4096];
static char demo_db[4200]; /* made once by the group setup; copied, never changed */
static char group_dir[4096];

/* ---- files and directories ------------------------------------------------ */

/* The tests make only plain files in their directories: remove them, then the directory. */
static void rm_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[8192];

	while (d && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

static int file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static void copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb"), *out;
	char chunk[65536];
	size_t n;

	assert_non_null(in);
	out = fopen(to, "wb");
	assert_non_null(out);
	while ((n = fread(chunk, 1, sizeof(chunk), in)) > 0)
		assert_int_equal(fwrite(chunk, 1, n, out), n);
	fclose(in);
	assert_int_equal(fclose(out), 0);
}

/* The whole file, for "left unchanged" checks; *len receives its size. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p = NULL;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	p = malloc((size_t)n + 1);
	assert_non_null(p);
	assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return p;
}

/* ---- running commands ------------------------------------------------------ */

static size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; s && *s; s++)
		n += *s == '\n';
	return n;
}

static void assert_one_line(const char *what, const char *s)
{
	if (!s || !s[0] || count_lines(s) != 1 || s[strlen(s) - 1] != '\n')
		fail_msg("%s: expected exactly one line, got: [%s]", what, s ? s : "(null)");
}

static void assert_contains(const char *haystack, const char *needle)
{
	if (!haystack || !strstr(haystack, needle))
		fail_msg("expected [%s] in: [%s]", needle, haystack ? haystack : "(null)");
}

/* 1 when the decimal number `num` appears in s as a whole number (not inside a longer one). */
static int has_number(const char *s, const char *num)
{
	size_t n = strlen(num);

	for (const char *p = s; p && (p = strstr(p, num)) != NULL; p++)
		if ((p == s || p[-1] < '0' || p[-1] > '9') && (p[n] < '0' || p[n] > '9'))
			return 1;
	fprintf(stderr, "no number %s in: %s\n", num, s ? s : "(null)");
	return 0;
}

static void assert_not_contains(const char *haystack, const char *needle)
{
	if (haystack && strstr(haystack, needle))
		fail_msg("did not expect [%s] in: [%s]", needle, haystack);
}

/* Run and expect success: exit 0 and nothing on stderr. Returns stdout (free it). */
static char *ok(const char *const *args, const char *in)
{
	char *out = NULL, *err = NULL;
	int rc = lt_cli(args, in, &out, &err);

	if (rc != 0)
		fail_msg("limes %s ... exited %d: %s", args[0], rc, err ? err : "");
	assert_string_equal(err, "");
	free(err);
	return out;
}

/*
 * Run and expect failure with exit code `want`: nothing on stdout, one line
 * on stderr. Returns stderr (free it).
 */
static char *fails_env(int want, const char *const *args, const char *const *env, const char *in)
{
	char *out = NULL, *err = NULL;
	int rc = lt_cli_env(args, env, in, &out, &err);

	if (rc != want)
		fail_msg("limes %s %s: expected exit %d, got %d; stderr: %s", args[0],
		         args[1] ? args[1] : "", want, rc, err ? err : "");
	if (out && out[0])
		fail_msg("limes %s: an error printed on stdout: [%s]", args[0], out);
	assert_one_line(args[0], err);
	free(out);
	return err;
}

static char *fails(int want, const char *const *args, const char *in)
{
	return fails_env(want, args, NULL, in);
}

/* Exit code only, with nothing on stdout (usage errors: the one-line rule has its own test). */
static void exits(int want, const char *const *args)
{
	char *out = NULL, *err = NULL;
	int rc = lt_cli(args, NULL, &out, &err);

	if (rc != want)
		fail_msg("limes %s %s: expected exit %d, got %d; stderr: %s",
		         args[0] ? args[0] : "", args[0] && args[1] ? args[1] : "", want, rc,
		         err ? err : "");
	if (out && out[0])
		fail_msg("limes %s: an error printed on stdout: [%s]", args[0] ? args[0] : "", out);
	assert_true(err && err[0]);
	free(out);
	free(err);
}

/* The lines of `limes user list --db db`, as one string. */
static char *user_list(const char *db)
{
	return ok(ARGS("user", "list", "--db", db), NULL);
}

/* 1 when `list` has a line whose first column is `name`. */
static int has_user(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *l = list; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : "")
		if (strncmp(l, name, n) == 0 && l[n] == ' ')
			return 1;
	return 0;
}

/* The line of `name` in a user list (a pointer into list), or fail. */
static const char *user_line(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *l = list; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : "")
		if (strncmp(l, name, n) == 0 && l[n] == ' ')
			return l;
	fail_msg("no user %s in: %s", name, list);
	return NULL;
}

/*
 * `limes serve ARGS` must fail before it listens. It is first started through
 * the harness, which gives up as soon as the process exits without a
 * listening line (so a server that wrongly starts cannot hang the test), and
 * only then run through lt_cli for its exit code and stderr (free it).
 */
static char *serve_fails(int want, const char *const *serve_args)
{
	struct lt_server s;
	const char *args[16] = {"serve"};
	size_t n = 1;
	int started;

	/* The harness runs the server in its own directory: --db paths must be absolute. */
	for (const char *const *a = serve_args; *a; a++)
		if (strcmp(*a, "--db") == 0)
			assert_true(a[1] && a[1][0] == '/');
	started = lt_server_start(&s, LT_DEMO, serve_args) == 0;

	if (started)
		lt_server_stop(&s);
	lt_server_cleanup(&s);
	if (started)
		fail_msg("limes serve %s %s started listening", serve_args[0],
		         serve_args[1] ? serve_args[1] : "");
	for (const char *const *a = serve_args; *a && n < 15; a++)
		args[n++] = *a;
	args[n] = NULL;
	return fails(want, args, NULL);
}

/* serve_fails with a copy of the demo database as --db (so no demo is loaded twice). */
static char *serve_fails_on_demo(int want, const char *listen)
{
	char db[4200], cwd[4096];

	assert_non_null(getcwd(cwd, sizeof(cwd)));
	snprintf(db, sizeof(db), "%s/serve.db", cwd);
	if (!file_exists(db))
		copy_file(demo_db, db);
	return serve_fails(want, ARGS("--listen", listen, "--db", db));
}

/* ---- SQLite, read directly: the tests check what is in the file ------------- */

static sqlite3 *db_open(const char *path)
{
	sqlite3 *db = NULL;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
		fail_msg("cannot open %s: %s", path, db ? sqlite3_errmsg(db) : "?");
	return db;
}

static long long db_count(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	long long n = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static void db_exec(const char *path, const char *sql)
{
	sqlite3 *db = db_open(path);
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg ? msg : "?");
	sqlite3_close(db);
}

/* "table=count;" for every table, in name order. */
static char *row_counts(const char *path)
{
	sqlite3 *db = db_open(path);
	sqlite3_stmt *st = NULL;
	size_t cap = 8192, len = 0;
	char *out = calloc(1, cap);

	assert_non_null(out);
	assert_int_equal(sqlite3_prepare_v2(db,
	                                    "SELECT name FROM sqlite_master WHERE type = 'table' "
	                                    "AND name NOT LIKE 'sqlite_%' ORDER BY name",
	                                    -1, &st, NULL),
	                 SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		char sql[256];
		const char *name = (const char *)sqlite3_column_text(st, 0);
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM \"%s\"", name);
		len += (size_t)snprintf(out + len, cap - len, "%s=%lld;", name, db_count(db, sql));
		assert_true(len < cap);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return out;
}

/* ---- fixtures ------------------------------------------------------------- */

struct tdir {
	char path[4096];
	struct lt_server srv; /* a test's server: teardown stops it and removes its files */
};

static int make_dir(char *path, size_t cap)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(path, cap, "%s/limes-cli-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
	return mkdtemp(path) ? 0 : -1;
}

static int group_setup(void **state)
{
	char *out = NULL, *err = NULL;
	int rc;

	(void)state;
	if (!getcwd(start_dir, sizeof(start_dir)) || make_dir(group_dir, sizeof(group_dir)))
		return -1;
	snprintf(demo_db, sizeof(demo_db), "%s/demo.db", group_dir);
	rc = lt_cli(ARGS("init", "--db", demo_db), NULL, &out, &err);
	if (rc != 0)
		fprintf(stderr, "limes init --db %s: exit %d: %s\n", demo_db, rc, err ? err : "");
	free(out);
	free(err);
	return rc == 0 ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	rm_tree(group_dir);
	return 0;
}

static int setup(void **state)
{
	struct tdir *t = calloc(1, sizeof(*t));

	if (!t || make_dir(t->path, sizeof(t->path)) || chdir(t->path)) {
		free(t);
		return -1;
	}
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct tdir *t = *state;

	if (t->srv.dir[0])
		lt_server_cleanup(&t->srv); /* a test that failed half-way left it */
	if (chdir(start_dir))
		return -1;
	rm_tree(t->path);
	free(t);
	return 0;
}

/* ---- help and usage ---------------------------------------------------------- */

static void test_help(void **state)
{
	char *out;

	(void)state;
	out = ok(ARGS("--help"), NULL);
	assert_contains(out, "usage: limes");
	for (const char *const *c = commands; *c; c++)
		assert_contains(out, *c);
	free(out);

	for (const char *const *c = commands; *c; c++) {
		char want[64];
		snprintf(want, sizeof(want), "usage: limes %s", *c);
		out = ok(ARGS(*c, "--help"), NULL);
		assert_contains(out, want);
		free(out);
	}
	/* A subcommand's own --help too. */
	out = ok(ARGS("user", "add", "--help"), NULL);
	assert_contains(out, "usage: limes user add");
	free(out);
}

static void test_usage_errors_exit_2(void **state)
{
	(void)state;
	exits(2, ARGS(NULL)); /* no command at all */
	exits(2, ARGS("frobnicate"));
	exits(2, ARGS("--frobnicate"));
	for (const char *const *c = commands; *c; c++)
		exits(2, ARGS(*c, "--no-such-option"));
	/* A missing option argument. */
	exits(2, ARGS("init", "--db"));
	exits(2, ARGS("serve", "--listen"));
	exits(2, ARGS("migrate", "--db"));
	/* A missing or surplus positional argument. */
	exits(2, ARGS("backup"));
	exits(2, ARGS("backup", "a.db", "b.db"));
	exits(2, ARGS("migrate", "surplus"));
	exits(2, ARGS("routes", "surplus"));
	exits(2, ARGS("init", "surplus"));
	exits(2, ARGS("user"));
	exits(2, ARGS("user", "frobnicate", "bob"));
	exits(2, ARGS("user", "add"));
	exits(2, ARGS("user", "add", "bob")); /* --agency and --role are required */
	exits(2, ARGS("user", "add", "bob", "--agency", "SYSTEM"));
	exits(2, ARGS("user", "disable"));
	exits(2, ARGS("user", "reset-password"));
	exits(2, ARGS("user", "list", "surplus"));
	/* Bad option values of serve are usage errors too, found before any file is touched. */
	exits(2, ARGS("serve", "--threads", "0", "--db", "x.db"));
	exits(2, ARGS("serve", "--log-level", "loud", "--db", "x.db"));
	exits(2, ARGS("serve", "--token-ttl", "forever", "--db", "x.db"));
	assert_false(file_exists("x.db"));
	assert_false(file_exists("limes.db"));
}

/* Unknown subcommand of `user` is named as such, not taken for a missing USERNAME. */
static void test_user_unknown_subcommand(void **state)
{
	char *err = NULL;

	(void)state;
	assert_int_equal(lt_cli(ARGS("user", "frobnicate"), NULL, NULL, &err), 2);
	assert_contains(err, "frobnicate");
	assert_not_contains(err, "USERNAME");
	free(err);
}

/*
 * "Every error on the CLI is one line on stderr": usage errors too. A script
 * (or a log collector) gets the reason in one line; `limes CMD --help`, not
 * the error path, prints the usage text.
 */
static void test_errors_are_one_line(void **state)
{
	const char *const *const cases[] = {
	    ARGS(NULL),
	    ARGS("frobnicate"),
	    ARGS("init", "--no-such-option"),
	    ARGS("init", "--db"),
	    ARGS("serve", "--no-such-option"),
	    ARGS("migrate", "surplus"),
	    ARGS("backup"),
	    ARGS("user"),
	    ARGS("user", "add", "--no-such-option"),
	    ARGS("version", "--no-such-option"),
	    ARGS("routes", "surplus"),
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *out = NULL, *err = NULL;
		int rc = lt_cli(cases[i], NULL, &out, &err);
		if (rc != 2 || (out && out[0]) || count_lines(err) != 1 ||
		    strncmp(err, "limes", 5) != 0)
			fail_msg("limes %s %s: want exit 2, empty stdout and one stderr line "
			         "starting 'limes'; got exit %d, stdout [%s], stderr [%s]",
			         cases[i][0] ? cases[i][0] : "",
			         cases[i][0] && cases[i][1] ? cases[i][1] : "", rc, out ? out : "",
			         err ? err : "");
		free(out);
		free(err);
	}
}

/* ---- version and routes ------------------------------------------------------ */

static void test_version(void **state)
{
	char *out;

	(void)state;
	out = ok(ARGS("version"), NULL);
	assert_int_equal(strncmp(out, "limes ", 6), 0);
	free(out);
	out = ok(ARGS("--version"), NULL);
	assert_int_equal(strncmp(out, "limes ", 6), 0);
	free(out);
}

static void test_routes(void **state)
{
	static const char *const methods[] = {"GET ", "POST ", "PUT ", "PATCH ", "DELETE ", NULL};
	char *out;
	size_t lines = 0;

	(void)state;
	out = ok(ARGS("routes"), NULL);
	for (char *l = out; *l;) {
		char *nl = strchr(l, '\n');
		int known = 0;
		assert_non_null(nl);
		*nl = '\0';
		for (const char *const *m = methods; *m; m++) {
			size_t n = strlen(*m);
			if (strncmp(l, *m, n) == 0 && l[n] == '/' && !strchr(l + n, ' '))
				known = 1;
		}
		if (!known)
			fail_msg("not a METHOD PATH line: [%s]", l);
		*nl = '\n';
		lines++;
		l = nl + 1;
	}
	assert_true(lines >= 10);
	assert_contains(out, "GET /api/v1/crossing-points/{code}/status\n");
	assert_contains(out, "POST /api/v1/sessions\n");
	free(out);
}

/* ---- init ------------------------------------------------------------------- */

static void test_init_demo(void **state)
{
	char *out, *list;

	(void)state;
	out = ok(ARGS("init", "--db", "a.db"), NULL);
	assert_true(file_exists("a.db"));
	/* With LIMES_ADMIN_PASSWORD and LIMES_DEMO_PASSWORD set, no password is printed. */
	assert_not_contains(out, LT_ADMIN_PASSWORD);
	assert_not_contains(out, "password");
	free(out);
	list = user_list("a.db");
	assert_true(has_user(list, "admin"));
	assert_true(has_user(list, "officer.ruili"));
	assert_contains(user_line(list, "officer.ruili"), "CNRUI");
	assert_contains(user_line(list, "admin"), "admin");
	free(list);
}

static void test_init_default_path_and_env(void **state)
{
	static const char *const env[] = {"LIMES_DB=from-env.db", NULL};
	char *out = NULL, *err = NULL, *list;

	(void)state;
	/* No --db: ./limes.db in the current directory. */
	out = ok(ARGS("init", "--empty"), NULL);
	free(out);
	assert_true(file_exists("limes.db"));
	/* LIMES_DB names the file; --db wins over it. */
	assert_int_equal(lt_cli_env(ARGS("init", "--empty"), env, NULL, &out, &err), 0);
	free(out);
	free(err);
	assert_true(file_exists("from-env.db"));
	assert_int_equal(
	    lt_cli_env(ARGS("init", "--empty", "--db", "flag.db"), env, NULL, &out, &err), 0);
	free(out);
	free(err);
	assert_true(file_exists("flag.db"));
	list = user_list("from-env.db");
	assert_true(has_user(list, "admin"));
	free(list);
}

static void test_init_existing_file(void **state)
{
	char *err, *before, *after;
	size_t nb, na;

	(void)state;
	free(ok(ARGS("init", "--empty", "--db", "a.db"), NULL));
	before = slurp("a.db", &nb);
	err = fails(1, ARGS("init", "--db", "a.db"), NULL);
	assert_contains(err, "a.db");
	free(err);
	after = slurp("a.db", &na);
	assert_int_equal(na, nb);
	assert_memory_equal(after, before, nb);
	free(before);
	free(after);
	/* Any existing file, not only a database: never overwritten. */
	{
		FILE *f = fopen("notes.txt", "w");
		assert_non_null(f);
		fputs("not a database\n", f);
		fclose(f);
	}
	free(fails(1, ARGS("init", "--db", "notes.txt"), NULL));
}

static void test_init_empty(void **state)
{
	char *out, *list;

	(void)state;
	out = ok(ARGS("init", "--empty", "--db", "e.db"), NULL);
	free(out);
	list = user_list("e.db");
	assert_int_equal(count_lines(list), 1);
	assert_true(has_user(list, "admin"));
	assert_contains(list, "SYSTEM");
	free(list);
}

/* Without LIMES_ADMIN_PASSWORD the admin password is generated and shown once. */
static void test_init_generated_password(void **state)
{
	static const char *const env[] = {"LIMES_ADMIN_PASSWORD", NULL};
	char *out = NULL, *err = NULL;

	(void)state;
	assert_int_equal(lt_cli_env(ARGS("init", "--empty", "--db", "g.db"), env, NULL, &out, &err),
	                 0);
	assert_string_equal(err, "");
	assert_contains(out, "'admin' with password: ");
	{
		const char *pw = strstr(out, "password: ") + 10;
		size_t n = strcspn(pw, "\n");
		char copy[128];
		assert_true(n >= 12 && n < sizeof(copy));
		memcpy(copy, pw, n);
		copy[n] = '\0';
		/* Once: the password does not appear a second time. */
		assert_null(strstr(pw + n, copy));
	}
	free(out);
	free(err);
}

/* ---- user ------------------------------------------------------------------- */

static long login_status(struct lt_server *s, const char *user, const char *password)
{
	json_t *body = json_pack("{s:s, s:s}", "username", user, "password", password);
	struct lt_resp r;
	long st;

	assert_int_equal(lt_request_json(s, "POST", "/api/v1/sessions", NULL, body, NULL, &r), 0);
	json_decref(body);
	st = r.status;
	lt_resp_release(&r);
	return st;
}

static long get_status(struct lt_server *s, const char *token)
{
	struct lt_resp r;
	long st;

	assert_int_equal(lt_request(s, "GET", "/api/v1/crossing-points", token, NULL, NULL, &r), 0);
	st = r.status;
	lt_resp_release(&r);
	return st;
}

/*
 * A running server serves sessions from memory for a few seconds (the app's
 * cache_ttl, 5 s by default: src/app/app.h), so a change made by another
 * process, this CLI, reaches a token already in use within that bound. Poll
 * until the token is refused, for at most LT_CACHE_BOUND_MS.
 */
#define LT_CACHE_BOUND_MS 15000

static long token_refused_within(struct lt_server *s, const char *token)
{
	long long deadline = lt_now_ms() + LT_CACHE_BOUND_MS;
	long st;

	while ((st = get_status(s, token)) == 200 && lt_now_ms() < deadline) {
		struct timespec pause = {0, 100 * 1000 * 1000};
		nanosleep(&pause, NULL);
	}
	return st;
}

/*
 * The account life cycle from the shell, against a running server: add with
 * a password on stdin, log in; reset the password (printed once), the old
 * one stops working and the new one works; disable, and the account can
 * neither log in nor use a token it already had.
 */
static void test_user_lifecycle(void **state)
{
	static const char bob_pw[] = "bob-password-from-stdin";
	struct lt_server *s = &((struct tdir *)*state)->srv;
	char *out, *list, *tok, *tok2, newpw[128];
	const char *p;
	size_t n;

	assert_int_equal(lt_server_start(s, LT_EMPTY, NULL), 0);

	out = ok(ARGS("user", "add", "bob", "--agency", "SYSTEM", "--role", "officer",
	              "--password-stdin", "--db", s->db),
	         "bob-password-from-stdin\n");
	/* The password came from stdin: nothing to show. */
	assert_not_contains(out, bob_pw);
	free(out);
	list = user_list(s->db);
	assert_true(has_user(list, "bob"));
	assert_contains(user_line(list, "bob"), "officer");
	assert_contains(user_line(list, "bob"), "active");
	free(list);

	tok = lt_login(s, "bob", bob_pw);
	assert_non_null(tok);
	assert_int_equal(get_status(s, tok), 200);

	/* A second account of that name is refused. */
	free(fails(1,
	           ARGS("user", "add", "bob", "--agency", "SYSTEM", "--role", "officer",
	                "--password-stdin", "--db", s->db),
	           "another-password-1\n"));

	/* reset-password: a new password, printed once, on stdout. */
	out = ok(ARGS("user", "reset-password", "bob", "--db", s->db), NULL);
	assert_int_equal(count_lines(out), 1);
	p = strrchr(out, ' ');
	assert_non_null(p);
	n = strcspn(p + 1, "\n");
	assert_true(n >= 12 && n < sizeof(newpw));
	memcpy(newpw, p + 1, n);
	newpw[n] = '\0';
	assert_null(strstr(p + 1 + n, newpw));
	free(out);
	assert_int_equal(login_status(s, "bob", bob_pw), 401);
	/* The reset revoked bob's sessions. */
	assert_int_equal(token_refused_within(s, tok), 401);
	free(tok);
	tok2 = lt_login(s, "bob", newpw);
	assert_non_null(tok2);
	assert_int_equal(get_status(s, tok2), 200);

	/* disable: no login, and the token bob already holds stops working. */
	out = ok(ARGS("user", "disable", "bob", "--db", s->db), NULL);
	free(out);
	list = user_list(s->db);
	assert_contains(user_line(list, "bob"), "disabled");
	free(list);
	assert_int_equal(login_status(s, "bob", newpw), 401);
	assert_int_equal(token_refused_within(s, tok2), 401);
	free(tok2);

	/* Unknown user names are failures, not usage errors. */
	free(fails(1, ARGS("user", "disable", "nobody", "--db", s->db), NULL));
	free(fails(1, ARGS("user", "reset-password", "nobody", "--db", s->db), NULL));

	assert_int_equal(lt_server_stop(s), 0);
	lt_server_cleanup(s);
}

/* A password set through the CLI survives a server restart on the same file. */
static void test_user_add_then_serve(void **state)
{
	struct lt_server *s = &((struct tdir *)*state)->srv;
	char *tok;

	assert_int_equal(lt_server_start(s, LT_EMPTY, NULL), 0);
	assert_int_equal(lt_server_stop(s), 0);
	free(ok(ARGS("user", "add", "carol", "--agency", "SYSTEM", "--role", "auditor", "--name",
	             "Carol Auditor", "--password-stdin", "--db", s->db),
	        "carol-password-12\r\n")); /* a CRLF line from a Windows pipe is fine */
	assert_int_equal(lt_server_start(s, LT_REUSE, NULL), 0);
	tok = lt_login(s, "carol", "carol-password-12");
	assert_non_null(tok);
	free(tok);
	assert_int_equal(lt_server_stop(s), 0);
	lt_server_cleanup(s);
}

static void test_user_add_bad_input(void **state)
{
	char *err;

	(void)state;
	free(ok(ARGS("init", "--empty", "--db", "e.db"), NULL));

	err = fails(1,
	            ARGS("user", "add", "carl", "--agency", "SYSTEM", "--role", "chief",
	                 "--password-stdin", "--db", "e.db"),
	            "carl-password-123\n");
	assert_contains(err, "role");
	/* The message names the field at fault, not every field it might have been. */
	assert_not_contains(err, "agency");
	free(err);

	err = fails(1,
	            ARGS("user", "add", "carl", "--agency", "NO-SUCH-AGENCY", "--role", "officer",
	                 "--password-stdin", "--db", "e.db"),
	            "carl-password-123\n");
	assert_contains(err, "agency");
	free(err);

	err = fails(1,
	            ARGS("user", "add", "carl", "--agency", "SYSTEM", "--role", "officer",
	                 "--password-stdin", "--db", "e.db"),
	            "short\n");
	assert_contains(err, "password");
	free(err);

	err = fails(1,
	            ARGS("user", "add", "Carl Smith", "--agency", "SYSTEM", "--role", "officer",
	                 "--password-stdin", "--db", "e.db"),
	            "carl-password-123\n");
	assert_contains(err, "username");
	free(err);

	/* The system role is the program's own, never an account's. */
	free(fails(1,
	           ARGS("user", "add", "carl", "--agency", "SYSTEM", "--role", "system",
	                "--password-stdin", "--db", "e.db"),
	           "carl-password-123\n"));
	/* --password-stdin with nothing on stdin. */
	free(fails(1,
	           ARGS("user", "add", "carl", "--agency", "SYSTEM", "--role", "officer",
	                "--password-stdin", "--db", "e.db"),
	           NULL));

	/* Nothing of that was written. */
	{
		char *list = user_list("e.db");
		assert_int_equal(count_lines(list), 1);
		free(list);
	}
}

/* ---- a database that cannot be used ------------------------------------------ */

static void test_missing_database_exit_3(void **state)
{
	const char *const *const cases[] = {
	    ARGS("user", "list", "--db", "missing.db"),
	    ARGS("user", "disable", "bob", "--db", "missing.db"),
	    ARGS("user", "reset-password", "bob", "--db", "missing.db"),
	    ARGS("migrate", "--db", "missing.db"),
	    ARGS("backup", "copy.db", "--db", "missing.db"),
	    ARGS("user", "list", "--db", "no-such-dir/x.db"),
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		free(fails(3, cases[i], NULL));
	free(fails(3,
	           ARGS("user", "add", "bob", "--agency", "SYSTEM", "--role", "officer",
	                "--password-stdin", "--db", "missing.db"),
	           "bob-password-123\n"));
	/* None of them created the file. */
	assert_false(file_exists("missing.db"));
	assert_false(file_exists("copy.db"));
	/* The default path too. */
	free(fails(3, ARGS("user", "list"), NULL));
	assert_false(file_exists("limes.db"));
}

static void test_not_a_database_exit_3(void **state)
{
	FILE *f = fopen("junk.db", "w");

	(void)state;
	assert_non_null(f);
	for (int i = 0; i < 200; i++)
		fputs("this is not an SQLite database, just text\n", f);
	fclose(f);
	free(fails(3, ARGS("user", "list", "--db", "junk.db"), NULL));
	free(fails(3, ARGS("migrate", "--db", "junk.db"), NULL));
}

static void test_migrate_up_to_date(void **state)
{
	char *out;

	(void)state;
	copy_file(demo_db, "a.db");
	out = ok(ARGS("migrate", "--db", "a.db"), NULL);
	assert_int_equal(count_lines(out), 1);
	assert_contains(out, "up to date");
	free(out);
	/* Twice is the same. */
	out = ok(ARGS("migrate", "--db", "a.db"), NULL);
	assert_contains(out, "up to date");
	free(out);
}

/*
 * A database made by the first release (schema version 1 only) is brought up
 * to date by `limes migrate` without losing a row: the upgrade path every
 * deployed post takes.
 */
static void test_migrate_from_version_1(void **state)
{
	const char *src = getenv("LIMES_SOURCE_DIR");
	char path[4096], *sql, *out;
	size_t n;
	sqlite3 *db;

	(void)state;
	assert_non_null(src);
	snprintf(path, sizeof(path), "%s/src/store/migrations/0001_init.sql", src);
	sql = slurp(path, &n);
	assert_non_null(sql);
	assert_int_equal(
	    sqlite3_open_v2("v1.db", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	free(sql);
	db_exec("v1.db",
	        "INSERT INTO schema_version (version, name, applied_at) "
	        "VALUES (1, '0001_init.sql', 0);"
	        "INSERT INTO agencies (id, code, name, kind, country, created_at, version) "
	        "VALUES ('01900000-0000-7000-8000-000000000001', 'OLD', 'Old agency', "
	        "'other', 'CN', 0, 1);"
	        "INSERT INTO users (id, username, display_name, agency_id, role, disabled, "
	        "pw_hash, created_at, version) VALUES ('01900000-0000-7000-8000-000000000002',"
	        " 'old.user', 'Old', '01900000-0000-7000-8000-000000000001', 1, 0, '', 0, 1);"
	        "INSERT INTO sessions (id, user_id, token_hash, created_at, expires_at) "
	        "VALUES ('01900000-0000-7000-8000-000000000003', "
	        "'01900000-0000-7000-8000-000000000002', "
	        "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 0, 1)");
	out = ok(ARGS("migrate", "--db", "v1.db"), NULL);
	assert_contains(out, "from schema version 1 to");
	free(out);
	db = db_open("v1.db");
	assert_true(db_count(db, "SELECT max(version) FROM schema_version") >= 2);
	assert_int_equal(db_count(db, "SELECT count(*) FROM agencies WHERE code = 'OLD'"), 1);
	/* The old session row is still there, now a login session with no label. */
	assert_int_equal(
	    db_count(db, "SELECT count(*) FROM sessions WHERE kind = 1 AND label = ''"), 1);
	sqlite3_close(db);
	out = ok(ARGS("migrate", "--db", "v1.db"), NULL);
	assert_contains(out, "up to date");
	free(out);
}

/*
 * A database written by a newer limes (schema_version has a row past what
 * this program knows) is refused by every command that opens it, with both
 * versions in the message, and not a byte of it changes.
 */
static void test_newer_schema_refused(void **state)
{
	const char *const *const cases[] = {
	    ARGS("migrate", "--db", "new.db"),
	    ARGS("user", "list", "--db", "new.db"),
	};
	char *before, *after, *err, known[32];
	size_t nb, na;
	sqlite3 *db;

	(void)state;
	copy_file(demo_db, "new.db");
	db = db_open("new.db");
	snprintf(known, sizeof(known), "%lld",
	         db_count(db, "SELECT max(version) FROM schema_version"));
	sqlite3_close(db);
	assert_true(strtoll(known, NULL, 10) >= 1);
	db_exec("new.db", "INSERT INTO schema_version (version, name, applied_at) "
	                  "VALUES (9999, '9999_from_the_future.sql', 0)");
	before = slurp("new.db", &nb);

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err = fails(3, cases[i], NULL);
		assert_true(has_number(err, "9999"));
		assert_true(has_number(err, known));
		free(err);
	}
	{
		char cwd[4096], abs[4200];
		assert_non_null(getcwd(cwd, sizeof(cwd)));
		snprintf(abs, sizeof(abs), "%s/new.db", cwd);
		err = serve_fails(3, ARGS("--db", abs, "--listen", "127.0.0.1:0"));
	}
	assert_true(has_number(err, "9999"));
	assert_true(has_number(err, known));
	free(err);

	after = slurp("new.db", &na);
	assert_int_equal(na, nb);
	assert_memory_equal(after, before, nb);
	free(before);
	free(after);
	db = db_open("new.db");
	assert_int_equal(db_count(db, "SELECT max(version) FROM schema_version"), 9999);
	sqlite3_close(db);
}

/* ---- backup ------------------------------------------------------------------ */

static void test_backup(void **state)
{
	char *out, *a, *b;
	sqlite3 *db;

	(void)state;
	copy_file(demo_db, "a.db");
	out = ok(ARGS("backup", "copy.db", "--db", "a.db"), NULL);
	assert_contains(out, "copy.db");
	free(out);
	assert_true(file_exists("copy.db"));

	/* The copy is a complete database of its own. */
	db = db_open("copy.db");
	{
		sqlite3_stmt *st = NULL;
		assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL),
		                 SQLITE_OK);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
		sqlite3_finalize(st);
	}
	assert_true(db_count(db, "SELECT count(*) FROM users") >= 2);
	sqlite3_close(db);
	a = row_counts("a.db");
	b = row_counts("copy.db");
	assert_string_equal(a, b);
	free(a);
	free(b);

	/* The copy is usable by limes itself. */
	out = user_list("copy.db");
	assert_true(has_user(out, "officer.ruili"));
	free(out);

	/* An existing destination is never overwritten. */
	{
		size_t n1, n2;
		char *before = slurp("copy.db", &n1), *after;
		free(fails(1, ARGS("backup", "copy.db", "--db", "a.db"), NULL));
		after = slurp("copy.db", &n2);
		assert_int_equal(n1, n2);
		assert_memory_equal(before, after, n1);
		free(before);
		free(after);
	}
	/* A destination that cannot be created is a failure (1), not a database problem. */
	free(fails(1, ARGS("backup", "no-such-dir/copy.db", "--db", "a.db"), NULL));
}

/* Backup while the server is writing: a consistent copy, the server unharmed. */
static void test_backup_live(void **state)
{
	struct lt_server *s = &((struct tdir *)*state)->srv;
	char *tok, *out;
	struct lt_resp r;

	assert_int_equal(lt_server_start(s, LT_DEMO, NULL), 0);
	tok = lt_login(s, "admin", LT_ADMIN_PASSWORD);
	assert_non_null(tok);
	out = ok(ARGS("backup", "live.db", "--db", s->db), NULL);
	free(out);
	out = user_list("live.db");
	assert_true(has_user(out, "admin"));
	free(out);
	assert_int_equal(lt_request(s, "GET", "/api/v1/crossing-points/CNRUI", tok, NULL, NULL, &r),
	                 0);
	assert_int_equal(r.status, 200);
	lt_resp_release(&r);
	free(tok);
	assert_int_equal(lt_server_stop(s), 0);
	lt_server_cleanup(s);
}

/* ---- serve ------------------------------------------------------------------- */

static void test_serve_bad_listen(void **state)
{
	static const char *const bad[] = {
	    "nonsense", "127.0.0.1", "127.0.0.1:http", "127.0.0.1:99999", "300.1.1.1:80",
	    "[::1:80",  NULL};

	(void)state;
	for (const char *const *b = bad; *b; b++) {
		char *err = serve_fails_on_demo(2, *b);
		assert_contains(err, *b);
		free(err);
	}
}

static void test_serve_port_in_use_exit_4(void **state)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	char listen_arg[64], *err;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	(void)state;
	assert_true(fd >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 8), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	snprintf(listen_arg, sizeof(listen_arg), "127.0.0.1:%u", (unsigned)ntohs(sa.sin_port));

	err = serve_fails_on_demo(4, listen_arg);
	assert_contains(err, listen_arg);
	free(err);
	close(fd);
}

/* `serve` on a file that does not exist creates it with the demo: a first run is one step. */
static void test_serve_creates_database(void **state)
{
	struct lt_server *s = &((struct tdir *)*state)->srv;
	char *list;

	assert_int_equal(lt_server_start(s, LT_DEMO, NULL), 0);
	assert_int_equal(lt_server_stop(s), 0);
	list = user_list(s->db);
	assert_true(has_user(list, "admin"));
	assert_true(has_user(list, "officer.ruili"));
	/* A second start on the same file keeps it: no second admin, no second demo. */
	assert_int_equal(lt_server_start(s, LT_REUSE, NULL), 0);
	/* Nothing before the listening line: no new password was made. */
	assert_string_equal(s->startup, "");
	assert_int_equal(lt_server_stop(s), 0);
	{
		char *again = user_list(s->db);
		assert_string_equal(again, list);
		free(again);
	}
	free(list);
	lt_server_cleanup(s);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_help),
	    T(test_usage_errors_exit_2),
	    T(test_user_unknown_subcommand),
	    T(test_errors_are_one_line),
	    T(test_version),
	    T(test_routes),
	    T(test_init_demo),
	    T(test_init_default_path_and_env),
	    T(test_init_existing_file),
	    T(test_init_empty),
	    T(test_init_generated_password),
	    T(test_user_lifecycle),
	    T(test_user_add_then_serve),
	    T(test_user_add_bad_input),
	    T(test_missing_database_exit_3),
	    T(test_not_a_database_exit_3),
	    T(test_migrate_up_to_date),
	    T(test_migrate_from_version_1),
	    T(test_newer_schema_refused),
	    T(test_backup),
	    T(test_backup_live),
	    T(test_serve_bad_listen),
	    T(test_serve_port_in_use_exit_4),
	    T(test_serve_creates_database),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
