"""Lua parser throughput on generated OpenResty-style code.

    python benchmarks/lua_parse.py [--lines 20000] [--seed 7] [--facts] [--write FILE] [--quick]

Prints the cold start (import + a tiny parse), then warm lines/s for parse (and facts).
--quick: 1,000 lines, one run, facts included (a check that the benchmark still works, in about a second).
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

_TEMPLATES = [
    '''local {mod} = require "{lib}"
local {dict} = ngx.shared.{shm}
local {cfg} = {{ timeout = {n}, retries = {m}, name = "{word}", enabled = true }}
''',
    '''local function {fn}({a}, {b})
    local {v}, err = {dict}:get({a} .. ":" .. tostring({b}))
    if not {v} then
        ngx.log(ngx.ERR, "failed to get {word}: ", err)
        return nil, err
    end
    local ok, incr_err = {dict}:incr("{word}_hits", 1, 0)
    if not ok then
        ngx.log(ngx.WARN, "incr failed: ", incr_err)
    end
    return {v} * {n} + #{a} - ({b} or 0) / 2
end
''',
    '''function _M.{fn}(self, {a})
    local red = {mod}:new()
    red:set_timeouts({n}, {n}, {n})
    local ok, err = red:connect("{word}.svc.cluster.local", 6379)
    if not ok then
        return ngx.exit(ngx.HTTP_SERVICE_UNAVAILABLE)
    end
    for i = 1, #{a} do
        local item = {a}[i]
        if type(item) == "table" and item.id ~= nil then
            red:hset("{word}:" .. item.id, "value", item.value or "")
        elseif item == "{word}" then
            break
        end
    end
    red:set_keepalive(10000, 100)
end
''',
    '''local {v} = {{
    ["{word}-key"] = {{ {n}, {m}, {n} }},
    [{n}] = function(x) return x ^ 2 end,
    nested = {{ deep = {{ deeper = "{word}" }} }};
}}
''',
    '''local function {fn}(...)
    local args = {{ ... }}
    local out = {{}}
    for k, v in pairs(args) do
        out[#out + 1] = string.format("%s=%s", tostring(k), tostring(v))
    end
    local s = table.concat(out, "&")
    while #s > {n} do
        s = s:sub(1, -2)
    end
    repeat
        s = s .. "{word}"
    until #s >= {m} or not s
    return s, select("#", ...)
end
''',
    '''local {v} = ngx.var.{word}
if {v} and ngx.re.find({v}, [[^/api/v\\d+/{word}]], "jo") then
    local headers = ngx.req.get_headers()
    local token = headers["Authorization"] or headers["X-{word}-Token"]
    if not token then
        ngx.status = 401
        ngx.say('{{"error":"unauthorized"}}')
        return ngx.exit(401)
    end
    ngx.ctx.{word} = {{ token = token, started = ngx.now() }}
end
''',
    '''local httpc = require("resty.http").new()
local res, err = httpc:request_uri("http://{word}.internal:8080/v1/{word}", {{
    method = "POST",
    body = cjson.encode({{ id = {n}, name = "{word}" }}),
    headers = {{ ["Content-Type"] = "application/json" }},
    keepalive_timeout = 60000,
}})
if not res then
    ngx.log(ngx.ERR, "request failed: ", err)
elseif res.status >= 500 then
    {dict}:set("{word}_down", true, {n})
end
''',
    '''local {v} = 0
do
    for i = {m}, 1, -1 do
        {v} = {v} + (i % 3 == 0 and i or -i) * {n}
        if {v} > 1e6 then goto done end
    end
    ::done::
end
local lock = require("resty.lock"):new("{shm}_locks", {{ timeout = 5 }})
local elapsed, lerr = lock:lock("{word}")
''',
]
_WORDS = ("users orders cache session upstream health metrics auth limit config tenant "
          "backend token quota route service status report").split()


# Chunks go in `do ... end` groups: LuaJIT allows 200 locals in sight per function, and the main chunk would
# exceed that past about a thousand lines.
_GROUP = 30


def generate(lines: int, seed: int) -> str:
    rng = random.Random(seed)
    parts = ['local _M = { _VERSION = "0.1" }\nlocal cjson = require "cjson.safe"\n']
    count = 2
    serial = 0
    while count < lines:
        serial += 1
        word = rng.choice(_WORDS)
        chunk = rng.choice(_TEMPLATES).format(
            mod=f"mod_{serial}", lib=f"resty.{word}", dict=f"dict_{serial % 7}", shm=word,
            cfg=f"cfg_{serial}", fn=f"handle_{word}_{serial}", a=f"arg_{serial}", b="opts",
            v=f"val_{serial}", n=rng.randint(1, 5000), m=rng.randint(1, 50), word=word,
        )
        chunk = chunk.replace("{dict}", f"dict_{serial % 7}")
        if serial % _GROUP == 1:
            parts.append("do\n")
        parts.append(chunk)
        if serial % _GROUP == 0:
            parts.append("end\n")
        count += chunk.count("\n")
    if serial % _GROUP:
        parts.append("end\n")
    # every dict_N used above is declared at the top, so the facts see real upvalues
    header = "".join(f"local dict_{i} = ngx.shared.dict_{i}\n" for i in range(7))
    return header + "".join(parts) + "return _M\n"


def cold_start(facts: bool) -> float:
    """Wall time of a fresh interpreter that imports the parser and parses one line."""
    code = ("import time; t = time.perf_counter(); from nginxlint.lua.parser import parse; "
            "parse('local x = 1'); print(time.perf_counter() - t)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return float(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--facts", action="store_true", help="also time analyze_lua")
    parser.add_argument("--write", help="write the generated Lua to this file and exit")
    parser.add_argument("--quick", action="store_true", help="1,000 lines, one run, facts included")
    args = parser.parse_args()
    if args.quick:
        args.lines, args.repeat, args.facts = 1000, 1, True
    text = generate(args.lines, args.seed)
    if args.write:
        Path(args.write).write_text(text)
        return
    lines = text.count("\n")
    tokens_per_line = None
    from nginxlint.lua.lexer import tokenize
    from nginxlint.lua.parser import parse

    tokens_per_line = len(tokenize(text)) / lines
    print(f"input: {lines} lines, {tokens_per_line:.1f} tokens/line; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; times are CPU seconds")
    print(f"cold start (new interpreter, import + tiny parse): {cold_start(args.facts) * 1000:.0f} ms")
    best = min(_timed(parse, text) for _ in range(args.repeat))
    print(f"parse:    {best:.3f} s  {lines / best:,.0f} lines/s")
    lex = min(_timed(tokenize, text) for _ in range(args.repeat))
    print(f"lex only: {lex:.3f} s  {lines / lex:,.0f} lines/s")
    if args.facts:
        from nginxlint.lua.facts import analyze_lua

        best = min(_timed(analyze_lua, text) for _ in range(args.repeat))
        print(f"parse + facts: {best:.3f} s  {lines / best:,.0f} lines/s")


def _timed(func, text: str) -> float:
    # CPU time of this process: wall time swings with whatever else the machine runs.
    start = time.process_time()
    func(text)
    return time.process_time() - start


if __name__ == "__main__":
    main()
