-- GET rows: wrk's own request loop; the one argument is the status expected
-- (200, or 304 for the revalidation row). Headers come from wrk -H.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "common.lua")

function init(args)
  expected = tonumber(args[1] or "200")
end
