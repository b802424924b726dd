-- POST the file named by $BODY as a CSV batch with the bearer token in $TOKEN.
local f = assert(io.open(os.getenv("BODY"), "rb"))
wrk.body = f:read("*all")
f:close()
wrk.method = "POST"
wrk.headers["Content-Type"] = "text/csv"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
