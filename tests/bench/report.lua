-- report.lua — wrk's own summary as one JSON line, for tests/bench/bench.mjs
-- (so nothing reads wrk's text output).
--
--   wrk -s tests/bench/report.lua URL            plain requests (-H works)
--
-- Other scripts load it (buyers.lua: dofile) and call
-- bench_report(summary, latency, extra) from their own done(). The line is
--
--   bench-json: {"requests":N,"duration_us":N,"bytes":N,
--     "errors":{"connect":N,"read":N,"write":N,"status":N,"timeout":N},
--     "latency_us":{"min":N,"mean":N,"stdev":N,"max":N,
--                   "p50":N,"p90":N,"p99":N,"p999":N},
--     "script":{...}}
--
-- errors.status is wrk's count of answers with a status of 400 or more;
-- "script" holds what the calling script adds (buyers.lua's counts). No
-- response() is defined here on purpose: with one, wrk hands every body to
-- Lua, which costs the driver CPU on big pages.

local function encode(v)
	local t = type(v)
	if t == "number" then
		if v ~= v or v == math.huge or v == -math.huge then return "null" end
		if v == math.floor(v) and math.abs(v) < 2^53 then
			return string.format("%d", v)
		end
		return string.format("%.6g", v)
	elseif t == "string" then
		return '"' .. v:gsub('[%c"\\]', function(c)
			return string.format("\\u%04x", c:byte())
		end) .. '"'
	elseif t == "boolean" then
		return tostring(v)
	elseif t == "table" then
		local keys = {}
		for k in pairs(v) do table.insert(keys, k) end
		table.sort(keys)
		local parts = {}
		for _, k in ipairs(keys) do
			table.insert(parts, encode(tostring(k)) .. ":" .. encode(v[k]))
		end
		return "{" .. table.concat(parts, ",") .. "}"
	end
	return "null"
end

function bench_report(summary, latency, extra)
	local e = summary.errors
	local out = {
		requests = summary.requests,
		duration_us = summary.duration,
		bytes = summary.bytes,
		errors = { connect = e.connect, read = e.read, write = e.write,
			status = e.status, timeout = e.timeout },
		latency_us = {
			min = latency.min, mean = latency.mean, stdev = latency.stdev,
			max = latency.max,
			p50 = latency:percentile(50), p90 = latency:percentile(90),
			p99 = latency:percentile(99), p999 = latency:percentile(99.9),
		},
		script = extra,
	}
	io.write("bench-json: " .. encode(out) .. "\n")
end

function done(summary, latency, requests)
	bench_report(summary, latency, nil)
end
