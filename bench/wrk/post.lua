-- wrk script for bench/run.sh: POST the body in BENCH_BODY to BENCH_PATH with the headers in BENCH_HEADERS
-- ("Name: value" pairs separated by "|"). Only the request is scripted; wrk counts non-2xx answers itself.
local f = assert(io.open(os.getenv("BENCH_BODY"), "rb"))
wrk.body = f:read("*a")
f:close()
wrk.method = "POST"
wrk.path = os.getenv("BENCH_PATH") or "/v1/chat/completions"
wrk.headers["Content-Type"] = "application/json"
for pair in string.gmatch(os.getenv("BENCH_HEADERS") or "", "[^|]+") do
  local name, value = pair:match("^%s*([^:]+):%s*(.*)$")
  if name then wrk.headers[name] = value end
end
