"""Ask a real LuaJIT whether snippets compile: one luajit process for a whole corpus."""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess

# Snippets are passed as JSON-escaped lines; the Lua side decodes only the escapes json.dumps emits.
_CHECKER = r"""
local function unescape(s)
  s = s:gsub('\\u(%x%x%x%x)', function(h)
    local c = tonumber(h, 16)
    if c < 128 then return string.char(c) end
    if c < 2048 then return string.char(192 + math.floor(c / 64), 128 + c % 64) end
    return string.char(224 + math.floor(c / 4096), 128 + math.floor(c / 64) % 64, 128 + c % 64)
  end)
  local map = { n = '\n', r = '\r', t = '\t', b = '\b', f = '\f', ['"'] = '"', ['\\'] = '\\', ['/'] = '/' }
  return (s:gsub('\\(.)', function(c) return map[c] or c end))
end
for line in io.lines() do
  local src = unescape(line:sub(2, -2))
  local f, err = loadstring(src, "=x")
  -- control and non-ASCII bytes in messages (decoded strings near the error) become '?'
  if f then io.write("OK\n") else io.write((err:gsub("[%c\128-\255]", "?")), "\n") end
end
"""


def luajit_path() -> str | None:
    """NGINXLINT_LUAJIT names another LuaJIT (OpenResty's, built with LUAJIT_ENABLE_LUA52COMPAT); else `luajit`."""
    return os.environ.get("NGINXLINT_LUAJIT") or shutil.which("luajit")


@functools.cache
def luajit_is_lua52() -> bool:
    """Was the oracle built with LUAJIT_ENABLE_LUA52COMPAT (LJ_52)? Only then may a statement follow `break`."""
    return luajit_results(["while true do break; x() end"]) == [(None, None)]


def luajit_results(snippets: list[str]) -> list[tuple[int | None, str | None]]:
    """For each snippet: (None, None) when LuaJIT accepts it, else (error line, message)."""
    payload = "".join(json.dumps(s, ensure_ascii=True) + "\n" for s in snippets)
    done = subprocess.run([luajit_path(), "-e", _CHECKER], input=payload, capture_output=True,
                          text=True, timeout=120, check=True)
    results = []
    for line in done.stdout.split("\n")[:-1]:
        if line == "OK":
            results.append((None, None))
        else:
            _, lineno, message = line.split(":", 2)
            results.append((int(lineno), message.strip()))
    return results
