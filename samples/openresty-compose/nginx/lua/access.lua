-- access_by_lua_file for the API: known client apps only, and a request rate per client shared by all
-- workers of the pod.
local limit_req = require "resty.limit.req"

local KNOWN_APPS = {
    ios = true,
    android = true,
    web = true,
}

local app = ngx.var.http_x_app_id
if not app or not KNOWN_APPS[app] then
    return ngx.exit(ngx.HTTP_FORBIDDEN)
end

local lim, err = limit_req.new("limit_req_store", 100, 50)
if not lim then
    ngx.log(ngx.ERR, "failed to instantiate resty.limit.req: ", err)
    return ngx.exit(ngx.HTTP_INTERNAL_SERVER_ERROR)
end

local delay, reject = lim:incoming(app .. ":" .. ngx.var.binary_remote_addr, true)
if not delay then
    if reject == "rejected" then
        return ngx.exit(429)
    end
    ngx.log(ngx.ERR, "resty.limit.req failed: ", reject)
    return ngx.exit(ngx.HTTP_INTERNAL_SERVER_ERROR)
end

if delay >= 0.001 then
    ngx.sleep(delay)
end
