-- The dashboard's poll, as the page's htmx poll sends it: each thread revalidates
-- with the last ETag it was given, so new figures (a 200) are followed by 304s
-- again. Both answers are expected; any other status is counted. The first ETag
-- comes from wrk -H "If-None-Match: ...".
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "common.lua")

local etag

function request()
  if etag then
    wrk.headers["If-None-Match"] = etag
  end
  return wrk.format()
end

function response(status, headers, body)
  if status == 200 then
    etag = headers["ETag"] or headers["Etag"] or headers["etag"] or etag
  elseif status ~= 304 then
    unexpected = unexpected + 1
  end
end
