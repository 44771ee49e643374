-- wrk script for bench/serve.sh: POST /api/v1/lookup with a bearer key,
-- cycling through request bodies (one JSON object per line of BODIES).
local key = os.getenv("BS_API_KEY")
local bodies = {}
for line in io.lines(os.getenv("BS_BODIES")) do bodies[#bodies + 1] = line end
local n = 0

function setup(thread)
  thread:set("offset", math.random(#bodies))
end

request = function()
  n = n + 1
  local body = bodies[(offset + n) % #bodies + 1]
  return wrk.format("POST", nil, {
    ["Authorization"] = "Bearer " .. key,
    ["Content-Type"] = "application/json",
  }, body)
end
-- wrk itself reports "Non-2xx or 3xx responses"; serve.sh counts those as errors.
