-- Device profiles come from the device service and are cached for five minutes in each container.
local http = require "resty.http"

local cache = ngx.shared.device_cache
local DEVICE_API = "http://device-service:8080/v1/devices/"

local _M = {}

function _M.lookup(device_id)
    if not device_id or device_id == "" then
        return nil, "not found"
    end

    local cached = cache:get(device_id)
    if cached then
        return cached
    end

    local httpc = http.new()
    httpc:set_timeout(500)
    local res, err = httpc:request_uri(DEVICE_API .. ngx.escape_uri(device_id), {
        headers = { ["Accept"] = "application/json" },
    })
    if not res then
        ngx.log(ngx.ERR, "device service: ", err)
        return nil, "device service unavailable"
    end
    if res.status == 404 then
        return nil, "not found"
    end
    if res.status ~= 200 then
        return nil, "device service answered " .. res.status
    end

    cache:set(device_id, res.body, 300)
    return res.body
end

return _M
