-- Shared by every wrk script: numbers the threads, counts responses whose
-- status is not the one the row expects (wrk itself only counts >= 400, so a
-- 304 or a 303 would pass unnoticed), and prints one JSON line for run.py.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

expected = 200
unexpected = 0

function response(status, headers, body)
  if status ~= expected then
    unexpected = unexpected + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("unexpected")
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, '
    .. '"unexpected": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    bad, e.connect + e.read + e.write + e.timeout))
end
