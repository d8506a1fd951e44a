"""OpenResty knowledge: the Lua units a deployment runs, how `require` finds modules, what ships bundled."""
