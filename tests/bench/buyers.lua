-- buyers.lua — a wrk script for tests/bench/bench.mjs: every request as a
-- different buyer, cycling through the lines of a buyers file written by
-- `boxoffice-admin loadtest-buyers` (SESSION_TOKEN CSRF_TOKEN QUEUE_TOKEN,
-- tab-separated).
--
--   wrk -s tests/bench/buyers.lua URL -- key=value...
--
--   file=PATH        the buyers file (required)
--   threads=N        wrk's -t, so that threads take disjoint turns
--   skip=N           ignore the first N lines (default 0)
--   method=GET|POST  (default GET)
--   path=TEMPLATE    the request path
--   body=TEMPLATE    a urlencoded form body (POST)
--   header=TEMPLATE  "Name: value", repeatable
--   seat_first=ID seats=N   request i takes seat seat_first + i (and
--                    buyer i mod buyers): every request a different seat
--   ok_status=CODE ok_location=PREFIX   count the answers with this status
--                    and a Location starting with PREFIX as successes
--
-- Templates may use {session}, {csrf}, {queue} and {seat}. Request i of
-- the run (over all threads) is made by buyer i mod buyers. At the end it
-- prints wrk's summary as JSON (report.lua); with ok_status, "script"
-- holds {ok, other, sent, wrapped} (other: answers that were not a
-- success; wrapped: requests that found every seat used).

-- bench_report(), from the file beside this one.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "report.lua")

local cfg = { headers = {} }
local buyers = {}
local prebuilt = nil
local seq, ok, other, wrapped = 0, 0, 0, 0
local me, nthreads = 0, 1

local function fill(t, b, seat)
	return (t:gsub("{(%w+)}", function(k)
		if k == "session" then return b[1] end
		if k == "csrf" then return b[2] end
		if k == "queue" then return b[3] end
		if k == "seat" then return tostring(seat) end
		return "{" .. k .. "}"
	end))
end

local function build(b, seat)
	local h = {}
	for _, t in ipairs(cfg.headers) do
		local line = fill(t, b, seat)
		local name, value = line:match("^([^:]+):%s*(.*)$")
		h[name] = value
	end
	if cfg.body then
		h["Content-Type"] = "application/x-www-form-urlencoded"
	end
	return wrk.format(cfg.method, fill(cfg.path, b, seat), h,
		cfg.body and fill(cfg.body, b, seat) or nil)
end

-- setup runs in wrk's main Lua state, once per thread, before init.
local threads = {}
local counter = 0
function setup(thread)
	thread:set("tid", counter)
	counter = counter + 1
	table.insert(threads, thread)
end

function init(args)
	for _, a in ipairs(args) do
		local k, v = a:match("^([%w_]+)=(.*)$")
		if k == "header" then
			table.insert(cfg.headers, v)
		elseif k then
			cfg[k] = v
		end
	end
	cfg.method = cfg.method or "GET"
	me = tonumber(rawget(_G, "tid")) or 0 -- set by setup()
	nthreads = tonumber(cfg.threads or "1")
	local skip = tonumber(cfg.skip or "0")
	local n = 0
	for line in io.lines(cfg.file) do
		n = n + 1
		if n > skip then
			local s, c, q = line:match("^(%S+)\t(%S+)\t(%S+)$")
			if s then table.insert(buyers, { s, c, q }) end
		end
	end
	if #buyers == 0 then
		error("buyers.lua: no buyers in " .. tostring(cfg.file))
	end
	cfg.seat_first = tonumber(cfg.seat_first)
	cfg.seats = tonumber(cfg.seats)
	cfg.ok_status = tonumber(cfg.ok_status)
	if not cfg.seat_first then
		-- No seat: one request per buyer, built once.
		prebuilt = {}
		for i, b in ipairs(buyers) do prebuilt[i] = build(b, 0) end
	end
	if not cfg.ok_status then
		response = nil -- wrk then skips parsing the answers for Lua
	end
end

function request()
	local i = me + seq * nthreads
	seq = seq + 1
	local b = (i % #buyers) + 1
	if prebuilt then return prebuilt[b] end
	if i >= cfg.seats then wrapped = wrapped + 1 end
	return build(buyers[b], cfg.seat_first + (i % cfg.seats))
end

function response(status, headers, body)
	local loc = headers["Location"] or headers["location"] or ""
	if status == cfg.ok_status and
	    loc:sub(1, #(cfg.ok_location or "")) == (cfg.ok_location or "") then
		ok = ok + 1
	else
		other = other + 1
	end
	-- the counts, for done() in the main state
	wrk.thread:set("ok", ok)
	wrk.thread:set("other", other)
	wrk.thread:set("sent", seq)
	wrk.thread:set("wrapped", wrapped)
end

function done(summary, latency, requests)
	local o, x, s, w = 0, 0, 0, 0
	for _, t in ipairs(threads) do
		o = o + (tonumber(t:get("ok")) or 0)
		x = x + (tonumber(t:get("other")) or 0)
		s = s + (tonumber(t:get("sent")) or 0)
		w = w + (tonumber(t:get("wrapped")) or 0)
	end
	local counts = nil
	if s > 0 then -- only when counting (ok_status)
		counts = { ok = o, other = x, sent = s, wrapped = w }
	end
	bench_report(summary, latency, counts)
end
