-- wrk script for perf/crosscheck: POST the infer body from $SERVEBENCH_WRK_BODY_FILE.
local f = assert(io.open(os.getenv("SERVEBENCH_WRK_BODY_FILE"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
