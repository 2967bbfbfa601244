-- wrk script for bench/run: optional request body, and one machine-readable result line.
--
--   WRK_BODY_BYTES=65536 wrk ... -s report.lua http://127.0.0.1:8080/echo   -> POST of that many bytes
--   WRK_CLOSE=1 wrk ... -s report.lua http://127.0.0.1:8080/hello           -> Connection: close
--
-- The result line (latencies in microseconds) is what bench/run parses:
--   RESULT requests=.. duration_us=.. bytes=.. connect=.. read=.. write=.. status=.. timeout=.. p50=.. p99=.. p999=.. max=..

local body_bytes = tonumber(os.getenv("WRK_BODY_BYTES") or "0")
if body_bytes > 0 then
	wrk.method = "POST"
	wrk.body = string.rep("x", body_bytes)
	wrk.headers["Content-Type"] = "application/octet-stream"
end
if os.getenv("WRK_CLOSE") == "1" then
	wrk.headers["Connection"] = "close"
end

function done(summary, latency, requests)
	local e = summary.errors
	io.write(string.format(
		"RESULT requests=%d duration_us=%d bytes=%d connect=%d read=%d write=%d status=%d timeout=%d p50=%d p99=%d p999=%d max=%d\n",
		summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
		latency:percentile(50), latency:percentile(99), latency:percentile(99.9), latency.max))
end
