-- wrk script: POST /track with EVENTS events per request (env EVENTS, default 1), a profile and
-- session per connection, unique event ids; optional pacing with env DELAY_MS per request.
-- With HELLO=1: GET /healthz, the server's hello-world route, as the baseline; ACK=durable asks
-- for replies at durability instead of after the projection.
local events = tonumber(os.getenv("EVENTS") or "1")
local source = os.getenv("SOURCE") or "load"
local delay_ms = tonumber(os.getenv("DELAY_MS") or "0")
local hello = os.getenv("HELLO") == "1"
local path = os.getenv("ACK") and ("/track?ack=" .. os.getenv("ACK")) or "/track"
local counter = 0
local thread_id = 0

function setup(thread)
  thread:set("thread_id", thread_id)
  thread_id = thread_id + 1
end

function init(args)
  math.randomseed(os.time() + (thread_id or 0) * 7919)
end

function request()
  if hello then return wrk.format("GET", "/healthz") end
  counter = counter + 1
  local parts = {}
  for i = 1, events do
    parts[i] = string.format('{"id":"t%d-%d-%d","type":"page-view","properties":{"n":%d,"path":"/p/%d"}}',
      thread_id or 0, counter, i, counter, counter % 97)
  end
  local profile = string.format("p%d-%d", thread_id or 0, counter % 500)
  local body = string.format('{"source":{"id":"%s"},"session":{"id":"s-%s"},"profile":{"id":"%s"},"events":[%s]}',
    source, profile, profile, table.concat(parts, ","))
  return wrk.format("POST", path, {["Content-Type"] = "application/json"}, body)
end

function delay()
  return delay_ms
end

function done(summary, latency, requests)
  io.write(string.format("RESULT requests=%d seconds=%.3f rps=%.1f p50_ms=%.3f p99_ms=%.3f errors=%d non2xx=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, summary.errors.status))
end
