/*
 * problem.c - RFC 9457 problem details. Every error leaves as
 * application/problem+json with a stable `type`, the HTTP `title`, a
 * human `detail`, and, for validation failures, `errors: [{field, message}]`
 * naming the JSON member (or header) at fault.
 */
#include "http/http_int.h"

#include <stdio.h>
#include <string.h>

int lm_http_status_of(int code)
{
	switch (code) {
	case LM_OK:
		return 200;
	case LM_EINVAL:
		return 422;
	case LM_ENOTFOUND:
		return 404;
	case LM_EEXISTS:
	case LM_ECONFLICT:
		return 409;
	case LM_ESTALE:
		return 412;
	case LM_EAUTH:
		return 401;
	case LM_EFORBIDDEN:
		return 403;
	case LM_ETOOBIG:
		return 413;
	case LM_EMEDIA:
		return 415;
	case LM_EPRECOND:
		return 428;
	case LM_ERATELIMIT:
		return 429;
	case LM_EBUSY:
		return 503;
	default:
		return 500;
	}
}

static const char *title_of(int status)
{
	switch (status) {
	case 400:
		return "Bad Request";
	case 401:
		return "Unauthorized";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 409:
		return "Conflict";
	case 412:
		return "Precondition Failed";
	case 413:
		return "Content Too Large";
	case 415:
		return "Unsupported Media Type";
	case 422:
		return "Unprocessable Content";
	case 428:
		return "Precondition Required";
	case 429:
		return "Too Many Requests";
	case 503:
		return "Service Unavailable";
	default:
		return status >= 500 ? "Internal Server Error" : "Error";
	}
}

static void problem(struct lm_resp *resp, int status, const char *type, const char *detail,
                    const char *field, const char *message)
{
	json_t *body = json_pack("{s:s, s:s, s:i, s:s}", "type", type, "title", title_of(status),
	                         "status", status, "detail", detail ? detail : title_of(status));

	if (body && field && field[0]) {
		json_t *e = json_pack("[{s:s, s:s}]", "field", field, "message",
		                      message ? message : "invalid");
		if (e)
			json_object_set_new(body, "errors", e);
	}
	lm_resp_json(resp, status, body);
	resp->content_type = "application/problem+json";
}

/* One stable problem type per status, whoever raised it (router, handler, app). */
static const char *type_of(int status)
{
	switch (status) {
	case 400:
		return "urn:limes:problem:bad-request";
	case 401:
		return "urn:limes:problem:unauthorized";
	case 403:
		return "urn:limes:problem:forbidden";
	case 404:
		return "urn:limes:problem:not-found";
	case 405:
		return "urn:limes:problem:method-not-allowed";
	case 409:
		return "urn:limes:problem:conflict";
	case 412:
		return "urn:limes:problem:stale";
	case 413:
		return "urn:limes:problem:too-large";
	case 415:
		return "urn:limes:problem:unsupported-media-type";
	case 422:
		return "urn:limes:problem:validation";
	case 428:
		return "urn:limes:problem:precondition-required";
	case 429:
		return "urn:limes:problem:rate-limited";
	case 503:
		return "urn:limes:problem:unavailable";
	default:
		return "urn:limes:problem:internal";
	}
}

void lm_http_problem(struct lm_resp *resp, int status, const char *detail, const char *field)
{
	problem(resp, status, type_of(status), detail, field, detail);
}

void lm_http_problem_err(struct lm_resp *resp, const struct lm_error *err)
{
	int status = lm_http_status_of(err->code);
	char detail[sizeof(err->field) + sizeof(err->msg) + 8];

	/* A 5xx says nothing of internals; the log line has the request id. */
	if (status >= 500 && status != 503) {
		problem(resp, status, type_of(status),
		        "internal error; quote the request id to the administrator", NULL, NULL);
		return;
	}
	/* Invalid input not tied to a field (malformed JSON) is a 400, not a 422. */
	if (err->code == LM_EINVAL && err->field[0] == '\0')
		status = 400;
	if (err->field[0])
		snprintf(detail, sizeof(detail), "%s: %s", err->field, err->msg);
	else
		snprintf(detail, sizeof(detail), "%s", err->msg);
	problem(resp, status, type_of(status), detail, err->field, err->msg);
}
