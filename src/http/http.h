/*
 * http.h - the HTTP front of limes: a libmicrohttpd server, one route table,
 * JSON in and out, RFC 9457 problem+json errors.
 *
 * USAGE:
 *	struct lm_server_config cfg;
 *	lm_server_config_default(&cfg);
 *	cfg.listen = "127.0.0.1:0";
 *	if (lm_server_start(app, &cfg, &srv, &err)) fail;
 *	printf("port %u\n", lm_server_port(srv));
 *	... wait for SIGTERM ...
 *	lm_server_stop(srv);   // stops accepting, finishes in-flight requests
 *
 * lm_http_call() runs one request through the same router, validation and
 * use cases as the network path, for an already-known actor; the demo loader
 * uses it so demo data passes the API's own checks.
 */
#ifndef LM_HTTP_H
#define LM_HTTP_H

#include <stddef.h>

#include "app/app.h"
#include "util/buf.h"

enum lm_log_level {
	LM_LOG_ERROR = 0,
	LM_LOG_WARN = 1,
	LM_LOG_INFO = 2, /* one access line per request */
	LM_LOG_DEBUG = 3,
};

struct lm_server_config {
	const char *listen;   /* "ADDR:PORT", IPv4 or [IPv6]; port 0 = any free port */
	unsigned threads;     /* pool size; 0 = two per core */
	const char *web_root; /* static files; NULL or missing directory = none */
	size_t body_max;      /* request body cap in bytes */
	enum lm_log_level log_level;
};

void lm_server_config_default(struct lm_server_config *cfg);

struct lm_server;

int lm_server_start(struct lm_app *app, const struct lm_server_config *cfg, struct lm_server **out,
                    struct lm_error *err);
unsigned lm_server_port(const struct lm_server *srv);
/* Validate an ADDR:PORT before doing anything else (LM_EINVAL naming "listen"). */
int lm_server_check_listen(const char *listen, struct lm_error *err);
/* Stop accepting, let in-flight requests finish, free. NULL is a no-op. */
void lm_server_stop(struct lm_server *srv);

/* Version of the HTTP library, for `limes version`. */
const char *lm_http_library_version(void);

/* The route table, for `limes routes` and the OpenAPI coverage test. */
size_t lm_http_route_count(void);
void lm_http_route_info(size_t i, const char **method, const char **path);

/* Run one request in-process as `actor`; *status and `body` receive the answer. */
int lm_http_call(struct lm_app *app, const struct lm_actor *actor, const char *method,
                 const char *path, const char *body, size_t len, int *status, struct lm_buf *out);

#endif
