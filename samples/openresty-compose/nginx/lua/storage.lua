-- Sessions live in Redis, shared with the PHP backend that creates them.
local redis = require "resty.redis"

local REDIS_HOST = os.getenv("REDIS_HOST") or "redis"
local REDIS_PORT = tonumber(os.getenv("REDIS_PORT")) or 6379

local _M = {}

function _M.get_session(sid)
    if not sid or sid == "" then
        return nil
    end

    local red = redis:new()
    red:set_timeout(300)
    local ok, err = red:connect(REDIS_HOST, REDIS_PORT)
    if not ok then
        ngx.log(ngx.ERR, "redis connect failed: ", err)
        return nil, err
    end

    local session, get_err = red:get("session:" .. sid)
    if not session then
        ngx.log(ngx.ERR, "redis get failed: ", get_err)
        return nil, get_err
    end
    red:set_keepalive(10000, 100)

    if session == ngx.null then
        return nil
    end
    return session
end

return _M
