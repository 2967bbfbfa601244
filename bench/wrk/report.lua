-- wrk script for bench/run: optional request body, and one machine-readable result line.
--
--   WRK_BODY_BYTES=65536 wrk ... -s report.lua http://127.0.0.1:8080/echo   -> POST of that many bytes
--   WRK_CLOSE=1 wrk ... -s report.lua http://127.0.0.1:8080/hello           -> Connection: close
--   WRK_PAGES=mix wrk ... -s report.lua http://127.0.0.1:8080/               -> the page workload (list, detail, mix)
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

-- The page workload (bench/apps/pages), WRK_PAGES=list|detail|mix: each request picks the next
-- page of a fixed cycle, and the session cookie the server sets is sent back, as a browser does
-- (without it, every request that touches the session would open a new one).
local pages = os.getenv("WRK_PAGES")
if pages then
	local FAR_FUTURE = "Thu, 01 Jan 2037 00:00:00 GMT"
	local FORM = "application/x-www-form-urlencoded"
	local VALID = "firstName=George&lastName=Franklin&address=110+W.+Liberty+St.&city=Madison&telephone=6085551023"
	local INVALID = "firstName=&lastName=Franklin&address=110+W.+Liberty+St.&city=Madison&telephone=12"
	local cycles = {
		list = { { "/owners?page=%d" } },
		detail = { { "/owners/%d" } },
		mix = {
			{ "/owners?page=%d" }, { "/owners/%d" }, { "/static/css/app.css", FAR_FUTURE }, { "/api/owners?page=%d" },
			{ "/owners/%d" }, { "/static/js/app.js", FAR_FUTURE }, { "/owners?page=%d" }, { "/static/img/logo.png", FAR_FUTURE },
			{ "/owners/%d/edit", nil, VALID }, { "/owners/%d" }, { "/static/css/app.css" }, { "/owners/%d/edit", nil, INVALID },
		},
	}
	local cycle = cycles[pages] or error("WRK_PAGES must be list, detail or mix")
	local n = 0
	local cookie = nil

	function request()
		n = n + 1
		local step = cycle[(n - 1) % #cycle + 1]
		-- 6 list pages of 50 owners, 300 owners, 10 JSON pages; only the first 20 owners are edited
		local path = step[1]
		if path:find("page=") then
			path = path:format((n % (path:find("api") and 10 or 6)))
		elseif path:find("/edit") then
			path = path:format(1 + n % 20)
		elseif path:find("%%d") then
			path = path:format(1 + (n * 7) % 300)
		end
		local headers = {}
		if cookie then headers["Cookie"] = cookie end
		if step[2] then headers["If-Modified-Since"] = step[2] end
		if os.getenv("WRK_CLOSE") == "1" then headers["Connection"] = "close" end
		if step[3] then
			headers["Content-Type"] = FORM
			return wrk.format("POST", path, headers, step[3])
		end
		return wrk.format("GET", path, headers)
	end

	function response(status, headers, body)
		for name, value in pairs(headers) do
			if name:lower() == "set-cookie" then
				local c = value:match("^(JSESSIONID=[^;]*)")
				if c then cookie = c end
			end
		end
	end
end

function done(summary, latency, requests)
	local e = summary.errors
	io.write(string.format(
		"RESULT requests=%d duration_us=%d bytes=%d connect=%d read=%d write=%d status=%d timeout=%d p50=%d p99=%d p999=%d max=%d\n",
		summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
		latency:percentile(50), latency:percentile(99), latency:percentile(99.9), latency.max))
end
