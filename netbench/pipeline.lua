-- wrk script for the HTTP benchmark (run-http.sh): every write sends DEPTH
-- copies of the plain request back to back, so each of wrk's connections
-- keeps DEPTH pipelined requests in flight (wrk counts every response).
--
--   wrk -s netbench/pipeline.lua http://127.0.0.1:PORT/ -- 16

local depth = 16
local batch

init = function(args)
    if args[1] ~= nil then
        depth = tonumber(args[1]) or error("pipeline depth must be a number, got " .. args[1])
    end
    local requests = {}
    for i = 1, depth do
        requests[i] = wrk.format()
    end
    batch = table.concat(requests)
end

request = function()
    return batch
end
