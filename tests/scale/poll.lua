-- poll.lua — waiting buyers for make scale (tests/scale/): each wrk
-- connection is one buyer polling the public queue state, once per
-- interval (with ±50% jitter, as phones drift apart), cycling through the
-- concerts given.
--
--   wrk -c BUYERS -s tests/scale/poll.lua URL -- interval_ms=1000 paths=/a,/b
--
--   interval_ms=N   milliseconds between a buyer's polls; 0: as fast as
--                   the edge answers (the worst case)
--   paths=P1,P2,…   the state URLs, taken in turn
--
-- At the end it prints wrk's summary as JSON (tests/bench/report.lua).
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "../bench/report.lua")

local paths, interval, n = {}, 1000, 0

function init(args)
	for _, a in ipairs(args) do
		local k, v = a:match("^([%w_]+)=(.*)$")
		if k == "interval_ms" then interval = tonumber(v) end
		if k == "paths" then
			for p in v:gmatch("[^,]+") do table.insert(paths, p) end
		end
	end
	if #paths == 0 then error("poll.lua: give paths=/concerts/1/queue/state.json,…") end
	math.randomseed(os.time() + (tonumber(rawget(_G, "tid")) or 0))
	response = nil -- wrk then skips handing the answers to Lua
end

function request()
	n = n + 1
	return wrk.format("GET", paths[(n % #paths) + 1])
end

function delay()
	if interval <= 0 then return 0 end
	return math.random(math.floor(interval / 2), math.floor(interval * 3 / 2))
end

function done(summary, latency, requests)
	bench_report(summary, latency, nil)
end
