local greet = require "greet"
local bindings = require "bindings"

local _M = {}

function _M.text()
    return greet() .. " (bindings " .. bindings .. ")"
end

return _M
