/*
 * cmd_misc.c - `limes migrate`, `limes backup`, `limes routes`,
 * `limes version`, and option parsers shared by commands.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int lm__parse_duration(const char *s, lm_time_ms *out)
{
	char *end;
	long long n = strtoll(s, &end, 10), unit = 1000;

	if (end == s || n <= 0)
		return -1;
	if (*end == 's')
		end++;
	else if (*end == 'm')
		unit = 60000, end++;
	else if (*end == 'h')
		unit = 3600000, end++;
	else if (*end == 'd')
		unit = 86400000, end++;
	if (*end || n > 30LL * 86400000 / unit)
		return -1;
	*out = n * unit;
	if (*out < 60000)
		return -1;
	return 0;
}

int lm__parse_log_level(const char *s, enum lm_log_level *out)
{
	static const char *const names[] = {"error", "warn", "info", "debug"};

	for (int i = 0; i < 4; i++)
		if (!strcmp(s, names[i])) {
			*out = (enum lm_log_level)i;
			return 0;
		}
	return -1;
}

/* Parse the common "--db PATH" + "--help" options; returns -1 to continue, else an exit code. */
static int db_opts(int argc, char **argv, const char *cmd, const char *usage, const char **db,
                   int max_args)
{
	static const struct option opts[] = {
	    {"db", required_argument, NULL, 'd'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'd') {
			*db = optarg;
		} else if (c == 'h') {
			fputs(usage, stdout);
			return LM_EXIT_OK;
		} else {
			return lm_cli_bad_option(cmd, argv);
		}
	}
	if (argc - optind > max_args)
		return lm_cli_usage_error(cmd, "unexpected argument '%s'", argv[optind + max_args]);
	return -1;
}

int cmd_migrate(int argc, char **argv)
{
	static const char usage[] = "usage: limes migrate [--db PATH]\n"
	                            "\nApply every pending schema migration, each in its own\n"
	                            "transaction. A database newer than this program is refused.\n";
	const char *db = NULL;
	struct lm_store *st;
	struct lm_error err;
	int rc = db_opts(argc, argv, "migrate", usage, &db, 0), from, to;

	if (rc >= 0)
		return rc;
	db = lm_cli_db_path(db);
	lm_error_init(&err);
	{
		char url[4104];
		snprintf(url, sizeof(url), "sqlite:%s", db);
		if (lm_store_open(url, 0, &st, &err))
			return lm_cli_fail(LM_EXIT_DB, "migrate", "cannot open %s: %s", db,
			                   err.msg);
	}
	if (lm_store_migrate(st, &from, &to, &err)) {
		lm_store_free(st);
		return lm_cli_fail(LM_EXIT_DB, "migrate", "%s", err.msg);
	}
	if (from == to)
		printf("limes: %s is at schema version %d (up to date)\n", db, to);
	else
		printf("limes: migrated %s from schema version %d to %d\n", db, from, to);
	lm_store_free(st);
	return LM_EXIT_OK;
}

int cmd_backup(int argc, char **argv)
{
	static const char usage[] =
	    "usage: limes backup DEST [--db PATH]\n"
	    "\nCopy the database to DEST (which must not exist) with SQLite's online backup:\n"
	    "consistent even while `limes serve` is writing.\n";
	const char *db = NULL;
	struct lm_store *st;
	struct lm_error err;
	int rc = db_opts(argc, argv, "backup", usage, &db, 1);

	if (rc >= 0)
		return rc;
	if (optind != argc - 1)
		return lm_cli_usage_error("backup", "missing DEST, the file to write");
	db = lm_cli_db_path(db);
	lm_error_init(&err);
	{
		char url[4104];
		snprintf(url, sizeof(url), "sqlite:%s", db);
		if (lm_store_open(url, 0, &st, &err))
			return lm_cli_fail(LM_EXIT_DB, "backup", "cannot open %s: %s", db, err.msg);
	}
	rc = lm_store_backup(st, argv[optind], &err);
	lm_store_free(st);
	if (rc)
		return lm_cli_fail(LM_EXIT_FAIL, "backup", "%s", err.msg);
	printf("limes: backed up %s to %s\n", db, argv[optind]);
	return LM_EXIT_OK;
}

int cmd_routes(int argc, char **argv)
{
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		puts("usage: limes routes\n\nPrint METHOD PATH for every HTTP route.");
		return LM_EXIT_OK;
	}
	if (argc > 1)
		return lm_cli_usage_error("routes", "takes no arguments ('%s')", argv[1]);
	for (size_t i = 0; i < lm_http_route_count(); i++) {
		const char *m, *p;
		lm_http_route_info(i, &m, &p);
		printf("%s %s\n", m, p);
	}
	return LM_EXIT_OK;
}

int cmd_version(int argc, char **argv)
{
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		puts("usage: limes version\n\nPrint the version of limes and of its libraries.");
		return LM_EXIT_OK;
	}
	if (argc > 1)
		return lm_cli_usage_error("version", "takes no arguments ('%s')", argv[1]);
	printf("limes %s\nlibmicrohttpd %s\njansson %s\nlibsodium %s\n", LIMES_VERSION,
	       lm_http_library_version(), jansson_version_str(), sodium_version_string());
	return LM_EXIT_OK;
}
