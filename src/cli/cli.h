/*
 * cli.h - shared parts of the `limes` command line.
 *
 * Exit codes (documented in docs/cli.md and `limes --help`; scripts rely on them):
 *	0  success
 *	1  the operation failed (bad input, not found, conflict)
 *	2  usage error (unknown command or option, missing argument)
 *	3  the database cannot be used (missing, unreadable, schema newer than this program)
 *	4  the server cannot listen on the requested address
 */
#ifndef LM_CLI_H
#define LM_CLI_H

#include <stdio.h>

#include "app/app.h"
#include "http/http.h"

enum lm_exit {
	LM_EXIT_OK = 0,
	LM_EXIT_FAIL = 1,
	LM_EXIT_USAGE = 2,
	LM_EXIT_DB = 3,
	LM_EXIT_LISTEN = 4,
};

struct lm_cli_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

/* --db / LIMES_DB, default ./limes.db */
const char *lm_cli_db_path(const char *flag);
/* Print "limes <cmd>: <message>" on stderr (one line) and return `code`. */
int lm_cli_fail(int code, const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A usage error: one line on stderr pointing at --help; returns LM_EXIT_USAGE. */
int lm_cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The usage error for the option getopt_long just refused (call with opterr = 0). */
int lm_cli_bad_option(const char *cmd, char **argv);
/* Open (and with `create`, create) the database and bring its schema up to date. */
int lm_cli_open_store(const char *cmd, const char *path, int create, struct lm_store **out);
/*
 * First-run setup of an empty database: the admin account (password from
 * LIMES_ADMIN_PASSWORD or generated and printed once on `out`), and with
 * `demo` the demo border.
 */
int lm_cli_bootstrap(const char *cmd, struct lm_app *app, int demo, FILE *out);
/* Load the compiled-in demo border through the API's own validation. */
int lm_cli_load_demo(struct lm_app *app, const char *password, struct lm_error *err);

/* Small parsers and checks the commands share (cmd_misc.c, setup.c). */
int lm__file_exists(const char *path);
/* "90s", "30m", "12h", "7d" or plain seconds; 1 minute to 30 days. */
int lm__parse_duration(const char *s, lm_time_ms *out);
int lm__parse_log_level(const char *s, enum lm_log_level *out);

int cmd_serve(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_routes(int argc, char **argv);

#endif
