-- wrk script for the durable-write benchmark: POST one inspection per
-- request, cycling over the demo markers D-001 .. D-NNN so that writes are
-- spread over every marker (as the durable_loop baseline does).
-- Environment: BENCH_TOKEN (bearer token), BENCH_PILLARS (default 150).
local token = os.getenv("BENCH_TOKEN") or ""
local npillars = tonumber(os.getenv("BENCH_PILLARS") or "150")
local headers = {
  ["Authorization"] = "Bearer " .. token,
  ["Content-Type"] = "application/json",
}
local body = '{"inspected_at": "2024-05-01T08:00:00Z", "condition": "intact", "note": "bench"}'
local n = 0
local offset = 0

-- Each wrk thread starts at a different marker.
local threads = 0
function setup(thread)
  thread:set("offset", threads * 75)
  threads = threads + 1
end

function init(args)
  n = offset
end

function request()
  n = n + 1
  local path = string.format("/api/v1/markers/D-%03d/inspections", (n % npillars) + 1)
  return wrk.format("POST", path, headers, body)
end
