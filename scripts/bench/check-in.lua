-- wrk: POST /api/v1/check-ins, a walk-in with a fresh Idempotency-Key each
-- time (a repeated key would only measure the replay).
math.randomseed(os.time() + (tonumber(tostring({}):sub(8), 16) or 0))

local function uuid()
  return (("xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx"):gsub("[xy]", function(c)
    local v = (c == "x") and math.random(0, 15) or math.random(8, 11)
    return string.format("%x", v)
  end))
end

wrk.method = "POST"
wrk.path = "/api/v1/check-ins"
wrk.body = '{"kind":"walk_in","first_name":"Ana","last_initial":"G","reason":"other"}'

-- The enrolled kiosk's credential, from the environment (run.sh pairs it).
local kiosk = os.getenv("WAITWELL_KIOSK_COOKIE") or ""

request = function()
  -- Headers given here replace wrk.headers, so all of them are listed.
  return wrk.format(nil, nil, {
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = uuid(),
    ["Cookie"] = kiosk,
  })
end

-- Every answer must be a new ticket: count anything else (a global, so
-- that done() can read each thread's count).
failed = 0
response = function(status)
  if status ~= 201 then
    failed = failed + 1
    if failed == 1 then
      io.stderr:write("first non-201 status: " .. status .. "\n")
    end
  end
end

local threads = {}
setup = function(thread)
  table.insert(threads, thread)
end

-- The figure that counts: new tickets per second (a refusal, such as a
-- line that has given its 9,999 codes of the day, is no check-in).
done = function(summary)
  local refused = 0
  for _, thread in ipairs(threads) do
    refused = refused + (thread:get("failed") or 0)
  end
  local tickets = summary.requests - refused
  io.write(string.format("New tickets: %d of %d answers, %.0f/s\n",
    tickets, summary.requests, tickets / (summary.duration / 1e6)))
end
