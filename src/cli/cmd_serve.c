/*
 * cmd_serve.c - `limes serve`: open (or create and fill) the database and
 * serve HTTP until SIGTERM or SIGINT, then finish in-flight requests and
 * close the database cleanly.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char serve_usage[] =
    "usage: limes serve [--listen ADDR:PORT] [--db PATH] [--web DIR] [--threads N]\n"
    "                   [--log-level error|warn|info|debug] [--token-ttl DURATION]\n"
    "\n"
    "Serve the HTTP API (and the console's static files from --web). A database that\n"
    "does not exist yet is created, migrated and filled with the demo border; the\n"
    "admin password is printed once (or taken from LIMES_ADMIN_PASSWORD).\n"
    "\n"
    "  --listen     address and port; port 0 picks a free one  [LIMES_LISTEN, 127.0.0.1:8080]\n"
    "  --db         SQLite database file                       [LIMES_DB, ./limes.db]\n"
    "  --web        directory of static files                  [LIMES_WEB, ./web]\n"
    "  --threads    HTTP worker threads                        [LIMES_THREADS, 2 per core]\n"
    "  --log-level  access log at info and above               [LIMES_LOG_LEVEL, info]\n"
    "  --token-ttl  session lifetime, e.g. 12h, 30m, 3600s     [LIMES_TOKEN_TTL, 12h]\n"
    "\n"
    "The first line on standard output is `limes: listening on http://ADDR:PORT`.\n";

static const char *env_or(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v && v[0] ? v : def;
}

int cmd_serve(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"listen", required_argument, NULL, 'l'},
	    {"db", required_argument, NULL, 'd'},
	    {"web", required_argument, NULL, 'w'},
	    {"threads", required_argument, NULL, 't'},
	    {"log-level", required_argument, NULL, 'v'},
	    {"token-ttl", required_argument, NULL, 'x'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct lm_server_config scfg;
	struct lm_app_config acfg;
	struct lm_store *st = NULL;
	struct lm_app *app = NULL;
	struct lm_server *srv = NULL;
	struct lm_error err;
	const char *db = NULL, *ttl = env_or("LIMES_TOKEN_TTL", NULL),
	           *threads = env_or("LIMES_THREADS", NULL),
	           *level = env_or("LIMES_LOG_LEVEL", NULL);
	sigset_t sigs;
	int c, sig, rc, fresh;

	lm_server_config_default(&scfg);
	lm_app_config_default(&acfg);
	scfg.listen = env_or("LIMES_LISTEN", scfg.listen);
	scfg.web_root = env_or("LIMES_WEB", scfg.web_root);
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			scfg.listen = optarg;
			break;
		case 'd':
			db = optarg;
			break;
		case 'w':
			scfg.web_root = optarg;
			break;
		case 't':
			threads = optarg;
			break;
		case 'v':
			level = optarg;
			break;
		case 'x':
			ttl = optarg;
			break;
		case 'h':
			fputs(serve_usage, stdout);
			return LM_EXIT_OK;
		default:
			return lm_cli_bad_option("serve", argv);
		}
	}
	if (optind != argc)
		return lm_cli_usage_error("serve", "unexpected argument '%s'", argv[optind]);
	if (ttl && lm__parse_duration(ttl, &acfg.token_ttl))
		return lm_cli_usage_error(
		    "serve", "--token-ttl '%s' is not a duration like 12h, 30m or 3600s", ttl);
	if (level && lm__parse_log_level(level, &scfg.log_level))
		return lm_cli_usage_error("serve",
		                          "--log-level must be error, warn, info or debug");
	if (threads) {
		char *end;
		long n = strtol(threads, &end, 10);
		if (*end || n < 1 || n > 256)
			return lm_cli_usage_error("serve", "--threads must be 1 to 256");
		scfg.threads = (unsigned)n;
	}
	/* Block the signals before any thread starts (the app's writer, the HTTP pool),
	 * so every thread inherits the mask and only sigwait below receives them: a
	 * SIGTERM at any moment means a clean shutdown, never a default death. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	lm_error_init(&err);
	/* A typo in --listen must not leave a new database behind. */
	if (lm_server_check_listen(scfg.listen, &err))
		return lm_cli_usage_error("serve", "%s", err.msg);
	db = lm_cli_db_path(db);
	fresh = !lm__file_exists(db);
	if ((rc = lm_cli_open_store("serve", db, 1, &st)))
		return rc;
	lm_error_init(&err);
	if (lm_app_new(st, &acfg, &app, &err)) {
		rc = lm_cli_fail(LM_EXIT_FAIL, "serve", "%s", err.msg);
		goto out;
	}
	if ((fresh || lm_store_was_empty(st)) && (rc = lm_cli_bootstrap("serve", app, 1, stdout)))
		goto out;

	signal(SIGPIPE, SIG_IGN);
	if ((rc = lm_server_start(app, &scfg, &srv, &err))) {
		rc = lm_cli_fail(rc == LM_EINVAL ? LM_EXIT_USAGE : LM_EXIT_LISTEN, "serve", "%s",
		                 err.msg);
		goto out;
	}
	printf("limes: listening on http://%.*s:%u\n",
	       (int)(strrchr(scfg.listen, ':') - scfg.listen), scfg.listen, lm_server_port(srv));
	fflush(stdout);
	sigwait(&sigs, &sig);
	fprintf(stderr, "{\"level\":\"info\",\"msg\":\"shutting down\",\"signal\":%d}\n", sig);
	lm_server_stop(srv);
	rc = LM_EXIT_OK;
out:
	lm_app_free(app);
	lm_store_free(st);
	return rc;
}
