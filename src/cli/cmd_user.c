/*
 * cmd_user.c - `limes user add|list|disable|reset-password`: account
 * administration from the server's own shell, acting as the system.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char user_usage[] =
    "usage: limes user add USERNAME --agency CODE --role ROLE [--name NAME]\n"
    "                      [--point CODE]... [--password-stdin] [--db PATH]\n"
    "       limes user list [--db PATH]\n"
    "       limes user disable USERNAME [--db PATH]\n"
    "       limes user reset-password USERNAME [--password-stdin] [--db PATH]\n"
    "\n"
    "ROLE is officer, supervisor, analyst, admin, auditor or humanitarian.\n"
    "Without --password-stdin a password is generated and printed once.\n";

/* Longer than any accepted password, so an over-long line is detected, not cut. */
static int read_password(char *out, size_t cap)
{
	size_t n;

	if (!fgets(out, (int)cap, stdin))
		return -1;
	n = strlen(out);
	if (n && out[n - 1] == '\n')
		out[--n] = '\0';
	else if (n == cap - 1)
		return -1;
	if (n && out[n - 1] == '\r')
		out[--n] = '\0';
	return 0;
}

static int user_row(void *ctx, const struct lm_user_view *v)
{
	(void)ctx;
	printf("%-24s %-13s %-20s %s", v->user.username, lm_role_name(v->user.role), v->agency_code,
	       v->user.disabled ? "disabled" : "active");
	for (size_t i = 0; i < v->npoints; i++)
		printf("%s%s", i ? "," : " ", v->points[i]);
	putchar('\n');
	return 0;
}

int cmd_user(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"db", required_argument, NULL, 'd'},    {"agency", required_argument, NULL, 'a'},
	    {"role", required_argument, NULL, 'r'},  {"name", required_argument, NULL, 'n'},
	    {"point", required_argument, NULL, 'p'}, {"password-stdin", no_argument, NULL, 's'},
	    {"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0},
	};
	const char *db = NULL, *agency = NULL, *role = NULL, *name = NULL, *sub, *who = NULL;
	char password[LM_PASSWORD_MAX + 2] = "";
	struct lm_user_view v;
	struct lm_store *st = NULL;
	struct lm_app *app = NULL;
	struct lm_actor sys;
	struct lm_error err;
	struct lm_created cr;
	int c, rc, from_stdin = 0;

	memset(&v, 0, sizeof(v));
	if (argc < 2)
		return lm_cli_usage_error("user", "missing subcommand: add, list, disable or "
		                                  "reset-password");
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(user_usage, stdout);
		return LM_EXIT_OK;
	}
	sub = argv[1];
	if (strcmp(sub, "add") && strcmp(sub, "list") && strcmp(sub, "disable") &&
	    strcmp(sub, "reset-password"))
		return lm_cli_usage_error("user", "unknown subcommand '%s'", sub);
	optind = 2;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			db = optarg;
			break;
		case 'a':
			agency = optarg;
			break;
		case 'r':
			role = optarg;
			break;
		case 'n':
			name = optarg;
			break;
		case 'p':
			if (v.npoints == LM_USER_POINTS_MAX)
				return lm_cli_usage_error("user", "at most %d --point",
				                          LM_USER_POINTS_MAX);
			if (strlen(optarg) > LM_POINT_CODE_MAX)
				return lm_cli_usage_error(
				    "user", "--point '%s' is not a crossing-point code", optarg);
			snprintf(v.points[v.npoints++], sizeof(v.points[0]), "%s", optarg);
			break;
		case 's':
			from_stdin = 1;
			break;
		case 'h':
			fputs(user_usage, stdout);
			return LM_EXIT_OK;
		default:
			return lm_cli_bad_option("user", argv);
		}
	}
	if (strcmp(sub, "list") != 0) {
		if (optind + 1 != argc)
			return lm_cli_usage_error("user", "%s needs exactly one USERNAME", sub);
		who = argv[optind];
	} else if (optind != argc) {
		return lm_cli_usage_error("user", "unexpected argument '%s'", argv[optind]);
	}

	if (!strcmp(sub, "add") && (!agency || !role))
		return lm_cli_usage_error("user", "add needs --agency and --role");
	if (from_stdin && read_password(password, sizeof(password)))
		return lm_cli_fail(LM_EXIT_FAIL, "user",
		                   "could not read a password line of at most %d bytes from stdin",
		                   LM_PASSWORD_MAX);
	if (!from_stdin && (!strcmp(sub, "add") || !strcmp(sub, "reset-password")))
		lm_app_random_password(password, 20);

	if ((rc = lm_cli_open_store("user", lm_cli_db_path(db), 0, &st)))
		return rc;
	lm_error_init(&err);
	lm_actor_system(&sys);
	if (lm_app_new(st, NULL, &app, &err)) {
		rc = lm_cli_fail(LM_EXIT_FAIL, "user", "%s", err.msg);
		goto out;
	}
	rc = LM_EXIT_OK;
	if (!strcmp(sub, "list")) {
		struct lm_page pg = {"", 1000};
		if (lm_app_user_list(app, &sys, &pg, user_row, NULL, &err))
			rc = lm_cli_fail(LM_EXIT_FAIL, "user", "%s", err.msg);
	} else if (!strcmp(sub, "add")) {
		if (lm_role_parse(role, &v.user.role)) {
			rc = lm_cli_fail(
			    LM_EXIT_FAIL, "user",
			    "role: must be officer, supervisor, analyst, admin, auditor "
			    "or humanitarian");
			goto out;
		}
		if (strlen(who) > LM_USERNAME_MAX || strlen(agency) > LM_CODE_MAX) {
			rc = lm_cli_fail(LM_EXIT_FAIL, "user", "%s: longer than %d characters",
			                 strlen(who) > LM_USERNAME_MAX ? "username" : "agency",
			                 strlen(who) > LM_USERNAME_MAX ? LM_USERNAME_MAX
			                                               : LM_CODE_MAX);
			goto out;
		}
		snprintf(v.user.username, sizeof(v.user.username), "%s", who);
		snprintf(v.user.agency_id, sizeof(v.user.agency_id), "%s", agency);
		if (strlen(name ? name : who) > LM_NAME_MAX) {
			rc = lm_cli_fail(LM_EXIT_FAIL, "user", "--name: longer than %d bytes",
			                 LM_NAME_MAX);
			goto out;
		}
		snprintf(v.user.display_name, sizeof(v.user.display_name), "%s", name ? name : who);
		if (lm_app_user_create(app, &sys, NULL, &v, password, &cr, &err))
			rc = lm_cli_fail(LM_EXIT_FAIL, "user", "%s%s%s", err.field,
			                 err.field[0] ? ": " : "", err.msg);
		else if (!from_stdin)
			printf("limes: created user '%s' with password: %s\n", who, password);
	} else if (!strcmp(sub, "reset-password")) {
		if (lm_app_user_set_password(app, &sys, who, password, &err))
			rc = lm_cli_fail(LM_EXIT_FAIL, "user", "%s%s%s", err.field,
			                 err.field[0] ? ": " : "", err.msg);
		else if (!from_stdin)
			printf("limes: new password for '%s': %s\n", who, password);
	} else { /* disable */
		if (lm_app_user_get(app, &sys, who, &v, &err)) {
			rc = lm_cli_fail(LM_EXIT_FAIL, "user", "%s", err.msg);
			goto out;
		}
		v.user.disabled = 1;
		snprintf(v.user.agency_id, sizeof(v.user.agency_id), "%s", v.agency_code);
		if (lm_app_user_update(app, &sys, &v, v.user.version, &err))
			rc = lm_cli_fail(LM_EXIT_FAIL, "user", "%s", err.msg);
		else
			printf("limes: disabled '%s' and revoked their sessions\n", who);
	}
out:
	memset(password, 0, sizeof(password));
	lm_app_free(app);
	lm_store_free(st);
	return rc;
}
