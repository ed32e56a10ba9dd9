/*
 * server.c - the only file that includes microhttpd.h.
 *
 * libmicrohttpd runs a pool of threads, each with its own epoll loop. One
 * request goes through these states (per connection, in on_request):
 *
 *	NEW      first call: allocate state; a Content-Length over the cap is
 *	         answered 413 at once, before any body is read
 *	BODY     upload calls: append to a capped buffer; past the cap the
 *	         rest is drained and dropped, and the answer will be 413
 *	DISPATCH last call: build a plain lm_req, run the router, queue the
 *	         response, write the access log line
 *	DONE     on_completed frees the state
 *
 * Limits: MHD's per-connection memory limit bounds the URL and all headers
 * (431/414 come from MHD itself); our body cap bounds the body.
 */
#include "http/http_int.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* URL and headers of one request must fit here (16 KiB is far above any real client);
 * MHD clears this pool for every request, so bigger is slower. */
#define LM_HTTP_CONN_MEMORY (16 * 1024)
/* Bytes of an over-long chunked body we read and drop to be able to answer 413. */
#define LM_HTTP_DROP_MAX (64u << 20)
/* A stalled client is dropped after this long; posts on slow links send small bodies. */
#define LM_HTTP_TIMEOUT_S 60

/* Parked writes run here; each blocks until its group commit, so the count bounds
 * how many writes one commit can carry. */
#define LM_HTTP_WRITE_WORKERS 64
/* How long a stopping server waits for in-flight requests before closing anyway. */
#define LM_HTTP_DRAIN_S 10

struct lm_server {
	struct MHD_Daemon *d;
	struct lm_cache *render;
	pthread_mutex_t wq_lock;
	pthread_cond_t wq_cond; /* a write was queued, or stop */
	pthread_cond_t idle;    /* inflight dropped to zero */
	struct conn_state *wq_head, *wq_tail;
	int wq_stop;
	atomic_int inflight; /* requests between first call and on_completed */
	pthread_t workers[LM_HTTP_WRITE_WORKERS];
	size_t nworkers;
	struct lm_app *app;
	struct lm_server_config cfg;
	unsigned port;
	char start_error[256]; /* what MHD said when it could not start */
};

/* Per-request state; lives from the first call of on_request to on_completed. */
struct conn_state {
	struct lm_buf body;
	int too_big;
	size_t dropped; /* body bytes read and discarded past the cap */
	int phase;      /* enum phase */
	struct timespec start;
	struct MHD_Connection *conn;
	struct lm_req req;
	struct lm_resp resp;
	struct lm_ctx ctx;
	struct conn_state *next; /* in the write queue */
};

enum phase {
	PHASE_READ = 0,   /* receiving the body */
	PHASE_QUEUED = 1, /* suspended, waiting for or running on a write worker */
	PHASE_READY = 2,  /* resumed with a response to send */
};

void lm_server_config_default(struct lm_server_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->listen = "127.0.0.1:8080";
	cfg->threads = 0;
	cfg->web_root = "web";
	cfg->body_max = 4u << 20; /* a long segment geometry is the largest legitimate body */
	cfg->log_level = LM_LOG_INFO;
}

static double since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static void client_ip(struct MHD_Connection *conn, char out[LM_IP_MAX + 1])
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	snprintf(out, LM_IP_MAX + 1, "unknown");
	if (!sa)
		return;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
		          LM_IP_MAX + 1);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
		          out, LM_IP_MAX + 1);
}

static enum MHD_Result collect_query(void *cls, enum MHD_ValueKind kind, const char *key,
                                     const char *value)
{
	struct lm_req *req = cls;

	(void)kind;
	if (req->nquery == LM_HTTP_QUERY_MAX)
		return MHD_NO; /* the rest are ignored: no route reads that many */
	req->query[req->nquery].key = key;
	req->query[req->nquery].value = value;
	req->nquery++;
	return MHD_YES;
}

static void access_log(struct lm_server *srv, const struct lm_req *req, const struct lm_ctx *ctx,
                       int status, double secs)
{
	char ts[LM_TIME_STRLEN], cause[200] = "";

	if (srv->cfg.log_level < LM_LOG_INFO && status < 500)
		return;
	lm_time_format(lm_time_now(), ts);
	/* A 5xx carries its cause for the operator (the client only sees the request
	 * id); made JSON-safe by dropping quotes, backslashes and control bytes. */
	if (status >= 500 && ctx->err.msg[0]) {
		size_t j = 0;
		for (const char *p = ctx->err.msg; *p && j + 1 < sizeof(cause); p++)
			if ((unsigned char)*p >= 0x20 && *p != '"' && *p != '\\')
				cause[j++] = *p;
		cause[j] = '\0';
	}
	/* Route pattern, never the raw path or query: those can carry personal data. */
	fprintf(stderr,
	        "{\"ts\":\"%s\",\"level\":\"%s\",\"msg\":\"request\",\"request_id\":\"%s\","
	        "\"method\":\"%s\",\"route\":\"%s\",\"status\":%d,\"duration_ms\":%.3f,"
	        "\"user_id\":\"%s\"%s%s%s}\n",
	        ts, status >= 500 ? "error" : "info", req->request_id, req->method, ctx->route,
	        status, secs * 1000.0, ctx->actor.user_id, cause[0] ? ",\"error\":\"" : "", cause,
	        cause[0] ? "\"" : "");
}

static enum MHD_Result send_resp(struct MHD_Connection *conn, struct lm_resp *resp,
                                 const char *request_id)
{
	size_t len = resp->body.len;
	char *body = lm_buf_detach(&resp->body);
	struct MHD_Response *r;
	enum MHD_Result ret;

	if (!body)
		return MHD_NO;
	r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(body);
		return MHD_NO;
	}
	if (resp->status != 204 && resp->content_type)
		MHD_add_response_header(r, "Content-Type", resp->content_type);
	MHD_add_response_header(r, "X-Request-Id", request_id);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	for (size_t i = 0; i < resp->nheaders; i++)
		MHD_add_response_header(r, resp->headers[i].key, resp->headers[i].value);
	ret = MHD_queue_response(conn, (unsigned)resp->status, r);
	MHD_destroy_response(r);
	return ret;
}

static int is_write(const char *method)
{
	return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0;
}

/* Fill cs->req from the connection; the pointers stay valid while it is suspended. */
static void build_request(struct lm_server *srv, struct MHD_Connection *conn, struct conn_state *cs,
                          const char *url, const char *method)
{
	struct lm_req *req = &cs->req;

	memset(req, 0, sizeof(*req));
	lm_resp_init(&cs->resp);
	memset(&cs->ctx, 0, sizeof(cs->ctx));
	cs->ctx.app = srv->app;
	cs->ctx.web_root = srv->cfg.web_root;
	cs->ctx.render = srv->render;
	cs->ctx.route = "unmatched";
	cs->ctx.route_index = (int)lm__route_slots() - 1;
	req->method = method;
	req->path = url;
	lm_uuid_v7(req->request_id);
	client_ip(conn, req->ip);
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_query, req);
#define H(name) MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name)
	req->authorization = H(MHD_HTTP_HEADER_AUTHORIZATION);
	req->content_type = H(MHD_HTTP_HEADER_CONTENT_TYPE);
	req->accept = H(MHD_HTTP_HEADER_ACCEPT);
	req->if_match = H(MHD_HTTP_HEADER_IF_MATCH);
	req->idem_key = H("Idempotency-Key");
	req->purpose = H("X-Purpose");
#undef H
	req->body = cs->body.ptr;
	req->body_len = cs->body.len;
}

static void finish(struct lm_server *srv, struct conn_state *cs)
{
	lm_metrics_observe((size_t)cs->ctx.route_index, cs->resp.status, since(&cs->start));
	access_log(srv, &cs->req, &cs->ctx, cs->resp.status, since(&cs->start));
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
	struct lm_server *srv = cls;
	struct conn_state *cs = *con_cls;
	enum MHD_Result ret;

	(void)version;
	if (!cs) {
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
		                                             MHD_HTTP_HEADER_CONTENT_LENGTH);
		cs = calloc(1, sizeof(*cs));
		if (!cs)
			return MHD_NO;
		lm_buf_init(&cs->body, srv->cfg.body_max);
		lm_resp_init(&cs->resp);
		clock_gettime(CLOCK_MONOTONIC, &cs->start);
		cs->conn = conn;
		*con_cls = cs;
		atomic_fetch_add(&srv->inflight, 1);
		if (cl && strtoull(cl, NULL, 10) > srv->cfg.body_max)
			cs->too_big = 1;
		else
			return MHD_YES;
	}
	if (cs->phase == PHASE_READY) {
		ret = send_resp(conn, &cs->resp, cs->req.request_id);
		return ret;
	}
	if (*upload_data_size) {
		/* Past the cap the rest is read and dropped: MHD can only answer once the
		 * upload is over, and the client then gets its 413. */
		if (!cs->too_big && lm_buf_add(&cs->body, upload_data, *upload_data_size))
			cs->too_big = 1;
		if (cs->too_big) {
			cs->dropped += *upload_data_size;
			/* An endless upload is cut off instead of being read forever. */
			if (cs->dropped > LM_HTTP_DROP_MAX)
				return MHD_NO;
		}
		*upload_data_size = 0;
		return MHD_YES;
	}

	build_request(srv, conn, cs, url, method);
	if (cs->too_big) {
		char detail[96];
		snprintf(detail, sizeof(detail), "the body is larger than %zu bytes",
		         srv->cfg.body_max);
		lm_http_problem(&cs->resp, 413, detail, NULL);
		lm_resp_header(&cs->resp, "Connection", "close");
	} else if (is_write(method)) {
		/* Writes wait for a group commit (and logins for argon2): park the
		 * connection and free this pool thread for other requests. */
		cs->phase = PHASE_QUEUED;
		MHD_suspend_connection(conn);
		pthread_mutex_lock(&srv->wq_lock);
		if (srv->wq_tail)
			srv->wq_tail->next = cs;
		else
			srv->wq_head = cs;
		srv->wq_tail = cs;
		pthread_cond_signal(&srv->wq_cond);
		pthread_mutex_unlock(&srv->wq_lock);
		return MHD_YES;
	} else {
		lm_http_dispatch(&cs->ctx, &cs->req, &cs->resp);
	}
	finish(srv, cs);
	return send_resp(conn, &cs->resp, cs->req.request_id);
}

/* Write workers: run a parked request to the end and resume its connection. */
static void *write_worker(void *arg)
{
	struct lm_server *srv = arg;

	for (;;) {
		struct conn_state *cs;
		pthread_mutex_lock(&srv->wq_lock);
		while (!srv->wq_head && !srv->wq_stop)
			pthread_cond_wait(&srv->wq_cond, &srv->wq_lock);
		cs = srv->wq_head;
		if (!cs) {
			pthread_mutex_unlock(&srv->wq_lock);
			return NULL;
		}
		srv->wq_head = cs->next;
		if (!srv->wq_head)
			srv->wq_tail = NULL;
		pthread_mutex_unlock(&srv->wq_lock);

		lm_http_dispatch(&cs->ctx, &cs->req, &cs->resp);
		finish(srv, cs);
		cs->phase = PHASE_READY;
		MHD_resume_connection(cs->conn);
	}
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	struct conn_state *cs = *con_cls;

	(void)conn;
	(void)toe;
	if (!cs)
		return;
	lm_buf_release(&cs->body);
	lm_resp_release(&cs->resp);
	free(cs);
	*con_cls = NULL;
	{
		struct lm_server *srv = cls;
		pthread_mutex_lock(&srv->wq_lock);
		if (atomic_fetch_sub(&srv->inflight, 1) == 1)
			pthread_cond_broadcast(&srv->idle);
		pthread_mutex_unlock(&srv->wq_lock);
	}
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct lm_server *srv = cls;
	char msg[256];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n\"\\")] = '\0';
	/* Before the daemon runs, a message explains a failed start: the caller reports it. */
	if (!srv->d) {
		snprintf(srv->start_error, sizeof(srv->start_error), "%s", msg);
		return;
	}
	if (srv->cfg.log_level < LM_LOG_WARN)
		return;
	fprintf(stderr, "{\"level\":\"warn\",\"msg\":\"http: %s\"}\n", msg);
}

static int parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *len,
                        struct lm_error *err)
{
	char host[128];
	const char *colon, *port;
	struct addrinfo hints, *res = NULL;
	size_t hl;
	int rc;

	if (listen[0] == '[') {
		const char *close = strchr(listen, ']');
		if (!close || close[1] != ':')
			goto bad;
		hl = (size_t)(close - listen - 1);
		if (hl >= sizeof(host))
			goto bad;
		memcpy(host, listen + 1, hl);
		host[hl] = '\0';
		port = close + 2;
	} else {
		colon = strrchr(listen, ':');
		if (!colon)
			goto bad;
		hl = (size_t)(colon - listen);
		if (hl >= sizeof(host))
			goto bad;
		memcpy(host, listen, hl);
		host[hl] = '\0';
		port = colon + 1;
	}
	if (!host[0])
		snprintf(host, sizeof(host), "0.0.0.0");
	/* getaddrinfo takes "99999" and wraps it; ports are 0..65535, 0 = any free one. */
	{
		char *end;
		long n = strtol(port, &end, 10);
		if (!*port || *end || n < 0 || n > 65535)
			goto bad;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	hints.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc || !res)
		goto bad;
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
bad:
	return lm_error_set(err, LM_EINVAL, "listen",
	                    "'%.64s' is not ADDR:PORT (e.g. 127.0.0.1:8080 or [::1]:8080)", listen);
}

static void stop_workers(struct lm_server *srv)
{
	if (!srv->nworkers)
		return;
	pthread_mutex_lock(&srv->wq_lock);
	srv->wq_stop = 1;
	pthread_cond_broadcast(&srv->wq_cond);
	pthread_mutex_unlock(&srv->wq_lock);
	for (size_t i = 0; i < srv->nworkers; i++)
		pthread_join(srv->workers[i], NULL);
	srv->nworkers = 0;
}

int lm_server_start(struct lm_app *app, const struct lm_server_config *cfg, struct lm_server **out,
                    struct lm_error *err)
{
	struct lm_server *srv = calloc(1, sizeof(*srv));
	struct sockaddr_storage ss;
	socklen_t sslen = 0;
	const union MHD_DaemonInfo *info;
	unsigned flags =
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
	    MHD_ALLOW_SUSPEND_RESUME; /* parks writes; includes the ITC quiesce needs */
	unsigned threads;
	int rc;

	if (!srv)
		return lm_error_set(err, LM_ENOMEM, "", "out of memory");
	srv->app = app;
	srv->cfg = *cfg;
	if ((rc = parse_listen(cfg->listen, &ss, &sslen, err)))
		goto fail;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	threads = cfg->threads ? cfg->threads : 2 * (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
	lm_metrics_init();
	/* Keyed by id and version, so entries never go stale: no expiry needed. */
	srv->render = lm_cache_new(256, sizeof(struct lm_rendered), 0);
	if (!srv->render) {
		rc = lm_error_set(err, LM_ENOMEM, "", "out of memory");
		goto fail;
	}
	pthread_mutex_init(&srv->wq_lock, NULL);
	pthread_cond_init(&srv->wq_cond, NULL);
	pthread_cond_init(&srv->idle, NULL);
	atomic_init(&srv->inflight, 0);
	for (; srv->nworkers < LM_HTTP_WRITE_WORKERS; srv->nworkers++)
		if (pthread_create(&srv->workers[srv->nworkers], NULL, write_worker, srv)) {
			rc = lm_error_set(err, LM_ENOMEM, "", "cannot start the write workers");
			goto fail;
		} else {
			pthread_setname_np(srv->workers[srv->nworkers], "lm-http-write");
		}
	/* The logger must be the first option, or MHD logs the others with its own. */
	srv->d = MHD_start_daemon(
	    flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, srv,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss, MHD_OPTION_THREAD_POOL_SIZE, threads,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)LM_HTTP_CONN_MEMORY,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)LM_HTTP_TIMEOUT_S, MHD_OPTION_NOTIFY_COMPLETED,
	    on_completed, srv, MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u, MHD_OPTION_END);
	if (!srv->d) {
		rc = lm_error_set(err, LM_EIO, "listen", "cannot listen on %s: %s", cfg->listen,
		                  srv->start_error[0] ? srv->start_error
		                                      : "address in use or not permitted");
		goto fail;
	}
	info = MHD_get_daemon_info(srv->d, MHD_DAEMON_INFO_BIND_PORT);
	srv->port = info ? info->port : 0;
	*out = srv;
	return 0;
fail:
	stop_workers(srv);
	lm_cache_free(srv->render);
	free(srv);
	return rc;
}

unsigned lm_server_port(const struct lm_server *srv)
{
	return srv->port;
}

void lm_server_stop(struct lm_server *srv)
{
	struct timespec deadline;

	if (!srv)
		return;
	/* Stop accepting; let every request already received get its answer (parked
	 * writes included), bounded so a stuck client cannot hold the shutdown. */
	MHD_quiesce_daemon(srv->d);
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += LM_HTTP_DRAIN_S;
	pthread_mutex_lock(&srv->wq_lock);
	while (atomic_load(&srv->inflight) > 0)
		if (pthread_cond_timedwait(&srv->idle, &srv->wq_lock, &deadline))
			break;
	pthread_mutex_unlock(&srv->wq_lock);
	stop_workers(srv);
	MHD_stop_daemon(srv->d);
	lm_cache_free(srv->render);
	free(srv);
}

int lm_http_call(struct lm_app *app, const struct lm_actor *actor, const char *method,
                 const char *path, const char *body, size_t len, int *status, struct lm_buf *out)
{
	struct lm_req req;
	struct lm_resp resp;
	struct lm_ctx ctx;
	memset(&req, 0, sizeof(req));
	memset(&ctx, 0, sizeof(ctx));
	lm_resp_init(&resp);
	ctx.app = app;
	ctx.actor = *actor;
	ctx.preauthenticated = 1;
	req.method = method;
	req.path = path;
	req.body = body;
	req.body_len = len;
	req.content_type = "application/json";
	snprintf(req.ip, sizeof(req.ip), "%s", actor->ip);
	lm_uuid_v7(req.request_id);
	lm_http_dispatch(&ctx, &req, &resp);
	*status = resp.status;
	lm_buf_reset(out);
	lm_buf_add(out, resp.body.ptr, resp.body.len);
	lm_resp_release(&resp);
	return 0;
}

const char *lm_http_library_version(void)
{
	return MHD_get_version();
}

int lm_server_check_listen(const char *listen, struct lm_error *err)
{
	struct sockaddr_storage ss;
	socklen_t len;

	return parse_listen(listen, &ss, &len, err);
}
