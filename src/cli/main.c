/*
 * main.c - the `limes` command table (git.c style): `limes <command> [options]`.
 */
#include "cli/cli.h"
#include "util/uuid.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct lm_cli_cmd commands[] = {
    {"serve", cmd_serve, "run the HTTP server (creates and fills a new database)"},
    {"init", cmd_init, "create a database: admin account and, unless --empty, the demo border"},
    {"user", cmd_user, "manage accounts: add, list, disable, reset-password"},
    {"migrate", cmd_migrate, "bring the database schema up to date"},
    {"backup", cmd_backup, "copy the live database to a file, consistently"},
    {"routes", cmd_routes, "list the HTTP API routes"},
    {"version", cmd_version, "print the version of limes and its libraries"},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: limes <command> [options]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n`limes <command> --help` describes each command.\n"
	           "exit codes: 0 success, 1 failure, 2 usage error, 3 database unusable,\n"
	           "            4 cannot listen\n");
}

const char *lm_cli_db_path(const char *flag)
{
	const char *env = getenv("LIMES_DB");

	if (flag)
		return flag;
	return env && env[0] ? env : "./limes.db";
}

int lm_cli_fail(int code, const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "limes %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

int lm_cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "limes %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see `limes %s --help`)\n", cmd);
	return LM_EXIT_USAGE;
}

int lm_cli_bad_option(const char *cmd, char **argv)
{
	/* getopt_long leaves optind past the offending word, or past its missing argument. */
	const char *word = argv[optind - 1];

	if (optopt && word[0] == '-' && word[1] != '-')
		return lm_cli_usage_error(cmd, "unknown option '-%c'", optopt);
	return lm_cli_usage_error(cmd, "unknown option or missing argument in '%s'", word);
}

int main(int argc, char **argv)
{
	opterr = 0; /* commands report bad options themselves, on one line */
	if (lm_uuid_global_init())
		return lm_cli_fail(LM_EXIT_FAIL, "main", "cannot initialise libsodium");
	if (argc < 2) {
		fprintf(stderr, "limes: missing command (see `limes --help`)\n");
		return LM_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return LM_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version"))
		return cmd_version(1, argv + 1);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "limes: '%s' is not a command (see `limes --help`)\n", argv[1]);
	return LM_EXIT_USAGE;
}
