-- Last status seen per API route, shared by all workers; written from log_by_lua, read by /monitor/status.
local cjson = require "cjson.safe"

local result_dict = ngx.shared.monitor_status

local _M = {}

function _M.record(uri, status)
    local ok, err = result_dict:set(uri, tonumber(status) or 0, 300)
    if not ok then
        ngx.log(ngx.WARN, "monitor: cannot record ", uri, ": ", err)
    end
end

function _M.status_json()
    local routes = {}
    for _, uri in ipairs(result_dict:get_keys(200)) do
        routes[uri] = result_dict:get(uri)
    end
    return cjson.encode({ routes = routes, workers = ngx.worker.count() })
end

return _M
