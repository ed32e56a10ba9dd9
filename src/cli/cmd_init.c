/*
 * cmd_init.c - `limes init`: create a database with its admin account and,
 * unless --empty, the demo border.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char init_usage[] =
    "usage: limes init [--db PATH] [--empty]\n"
    "\n"
    "Create a new database: schema, the 'admin' account (password from\n"
    "LIMES_ADMIN_PASSWORD, or generated and printed once) and the demo China-Myanmar\n"
    "border (crossing points, segments, markers, agencies, users for every role).\n"
    "  --db     database file [LIMES_DB, ./limes.db]; must not exist yet\n"
    "  --empty  no demo data: only the admin account and a system agency\n";

int cmd_init(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"db", required_argument, NULL, 'd'},
	    {"empty", no_argument, NULL, 'e'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *db = NULL;
	struct lm_store *st = NULL;
	struct lm_app *app = NULL;
	struct lm_error err;
	int c, empty = 0, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			db = optarg;
			break;
		case 'e':
			empty = 1;
			break;
		case 'h':
			fputs(init_usage, stdout);
			return LM_EXIT_OK;
		default:
			return lm_cli_bad_option("init", argv);
		}
	}
	if (optind != argc)
		return lm_cli_usage_error("init", "unexpected argument '%s'", argv[optind]);
	db = lm_cli_db_path(db);
	if (lm__file_exists(db))
		return lm_cli_fail(LM_EXIT_FAIL, "init",
		                   "%s already exists; remove it or choose another --db", db);
	if ((rc = lm_cli_open_store("init", db, 1, &st)))
		return rc;
	lm_error_init(&err);
	if (lm_app_new(st, NULL, &app, &err)) {
		rc = lm_cli_fail(LM_EXIT_FAIL, "init", "%s", err.msg);
		goto out;
	}
	rc = lm_cli_bootstrap("init", app, !empty, stdout);
	if (rc == LM_EXIT_OK)
		printf("limes: initialised %s%s\n", db,
		       empty ? " (empty)" : " with the demo border");
out:
	lm_app_free(app);
	lm_store_free(st);
	return rc;
}
