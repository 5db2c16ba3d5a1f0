-- The vote row: every request is a whole vote (the page's vote token,
-- reader cookie, write, partial answer) by a reader no other connection uses.
--
-- Arguments: readers file, thread count, connections per thread, slug,
-- comma-separated claim keys, votes per reader, and N: every Nth request
-- changes an earlier vote.
-- The readers file (written by run.py) has one "csrf<TAB>reader"
-- line per reader; thread k of n takes lines k, k+n, k+2n, ... so no two
-- threads share a reader. Within a thread, requests go round a slot per
-- connection, each slot voting as its own reader, so concurrent requests
-- come from distinct readers.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "common.lua")

local CHOICES = {"agree", "disagree", "unsure"}
local HEADERS = {["HX-Request"] = "true", ["Sec-Fetch-Site"] = "same-origin",
                 ["Content-Type"] = "application/x-www-form-urlencoded"}
local MAX_REMEMBERED = 2000

local readers, claims, slots, voted = {}, {}, {}, {}
local slug, per_reader, change_every
local next_reader, turn = 0, 0

local function split(text, sep)
  local parts = {}
  for part in string.gmatch(text, "[^" .. sep .. "]+") do
    table.insert(parts, part)
  end
  return parts
end

function init(args)
  local nthreads = tonumber(args[2])
  local nslots = tonumber(args[3])
  slug, claims = args[4], split(args[5], ",")
  per_reader, change_every = tonumber(args[6]), tonumber(args[7])
  local n = 0
  for line in io.lines(args[1]) do
    if n % nthreads == id - 1 then
      table.insert(readers, split(line, "\t"))
    end
    n = n + 1
  end
  for i = 1, nslots do
    slots[i] = {votes = per_reader}
  end
  math.randomseed(os.time() * 100 + id)
end

local function vote(reader, claim, choice)
  local headers = {}
  for k, v in pairs(HEADERS) do headers[k] = v end
  headers["Cookie"] = "debate_reader=" .. reader[2]
  local body = "choice=" .. choice .. "&csrf_token=" .. reader[1]
  return wrk.format("POST", "/debates/" .. slug .. "/claims/" .. claim .. "/vote",
                    headers, body)
end

local function change_a_vote()
  local v = voted[math.random(#voted)]
  local choice = v.choice
  while choice == v.choice do
    choice = CHOICES[math.random(#CHOICES)]
  end
  v.choice = choice
  return vote(v.reader, v.claim, choice)
end

local function first_vote()
  local slot = slots[turn % #slots + 1]
  if slot.votes >= per_reader then
    next_reader = next_reader % #readers + 1  -- wraps only if the file is too short
    slot.reader, slot.votes, slot.first = readers[next_reader], 0, math.random(#claims)
  end
  local claim = claims[(slot.first + slot.votes) % #claims + 1]
  local choice = CHOICES[math.random(#CHOICES)]
  slot.votes = slot.votes + 1
  local entry = {reader = slot.reader, claim = claim, choice = choice}
  if #voted < MAX_REMEMBERED then
    table.insert(voted, entry)
  else
    voted[math.random(#voted)] = entry
  end
  return vote(slot.reader, claim, choice)
end

function request()
  turn = turn + 1
  if turn % change_every == 0 and #voted > 0 then
    return change_a_vote()
  end
  return first_vote()
end
