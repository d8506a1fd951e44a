local binary_protocol = require "binary_protocol"  -- expect: LUA205
local cjson = require "cjson.safe"

-- init_by_lua_file: runs once in the master before the workers fork, so the modules loaded here are
-- shared copy-on-write by every worker.
cjson.encode_empty_table_as_object(false)
binary_protocol.init({ max_frame_size = 65536 })
