"""Benchmark inputs, generated deterministically (nothing large is committed).

    python benchmarks/generate.py OUT_DIR [--servers 2000] [--quick]

writes three trees under OUT_DIR:
  single/nginx.conf        one 88,000-line config: 2,000 servers x 10 locations of mixed kinds
  tree/nginx.conf          the same servers spread over 500 included files
  openresty/conf/...       an OpenResty deployment with 50,000 lines of Lua in modules reached by require

--quick writes the same shapes, small (20 servers in 10 files, 5 Lua modules of 100 lines), and prints what it
wrote: a check that the generator still works, not a benchmark input.
"""
from __future__ import annotations

import argparse
from pathlib import Path

HEAD = """user nginx;
worker_processes 2;
pid /run/nginx.pid;
error_log stderr warn;
events { worker_connections 1024; }
http {
    include mime.types;
    default_type application/octet-stream;
    access_log /dev/stdout;
    sendfile on;
    keepalive_timeout 65;
"""


def upstreams(count: int) -> str:
    return "".join(
        f"    upstream backend_{i} {{\n        server 10.0.{i // 250}.{i % 250 + 1}:8080 max_fails=3;\n"
        f"        keepalive 16;\n    }}\n"
        for i in range(count)
    )


def server(i: int) -> str:
    """44 lines: a server with ten locations of different kinds."""
    return f"""    server {{
        listen {8000 + i % 1000};
        server_name app{i}.example.com www.app{i}.example.com;
        root /srv/app{i}/public;
        index index.html;
        client_max_body_size 10m;
        location / {{
            try_files $uri $uri/ /index.html;
        }}
        location /api/ {{
            proxy_pass http://backend_{i % 200};
            proxy_set_header Host $host;
            proxy_set_header X-Real-IP $remote_addr;
            proxy_read_timeout 30s;
        }}
        location ~ \\.php$ {{
            fastcgi_pass 127.0.0.1:9000;
            include fastcgi_params;
        }}
        location = /healthz {{ access_log off; return 200 "ok\\n"; }}
        location /static/ {{
            alias /srv/app{i}/static/;
            expires 7d;
        }}
        location ~* \\.(png|jpg|css|js)$ {{ expires 30d; add_header Cache-Control "public"; }}
        location /admin/ {{
            allow 10.0.0.0/8;
            deny all;
            location /admin/login {{ limit_except POST {{ deny all; }} }}
        }}
        location /old/ {{
            rewrite ^/old/(.*)$ /new/$1 permanent;
        }}
        location /download/ {{
            if ($http_user_agent ~* "bot") {{ return 403; }}
            limit_rate 512k;
        }}
        location @fallback {{
            proxy_pass http://backend_{(i + 1) % 200};
        }}
        error_page 404 /404.html;
        error_page 500 502 503 504 /50x.html;
        gzip on;
    }}
"""


def write_single(out: Path, servers: int) -> Path:
    path = out / "single" / "nginx.conf"
    path.parent.mkdir(parents=True, exist_ok=True)
    body = HEAD + upstreams(200) + "".join(server(i) for i in range(servers)) + "}\n"
    path.write_text(body)
    return path


def write_tree(out: Path, servers: int, files: int = 500) -> Path:
    root = out / "tree"
    (root / "sites").mkdir(parents=True, exist_ok=True)
    per_file = max(1, servers // files)
    for index in range(files):
        chunk = "".join(server(i) for i in range(index * per_file, (index + 1) * per_file))
        (root / "sites" / f"site{index:03}.conf").write_text(chunk.replace("\n    ", "\n")[4:])
    (root / "nginx.conf").write_text(HEAD + upstreams(200) + "    include sites/*.conf;\n}\n")
    return root / "nginx.conf"


def lua_module(index: int, count: int, lines: int) -> str:
    """A realistic module of about `lines` lines: locals, a shared dict, string work, a require of the next one."""
    nxt = f'local next_mod = require "mod_{index + 1:03}"\n' if index + 1 < count else "local next_mod = nil\n"
    parts = [
        f"-- module {index}: request helpers\n",
        'local cjson = require "cjson.safe"\n',
        nxt,
        "local shared = ngx.shared.cache\n",
        "local _M = { _VERSION = '0.1' }\n",
        "local concat, insert = table.concat, table.insert\n",
    ]
    body_lines = 6
    function = 0
    while body_lines < lines - 2:
        parts.append(
            f"""
function _M.handler_{function}(req, opts)
    opts = opts or {{}}
    local key = "k:" .. tostring(req.id) .. ":{index}:{function}"
    local cached, flags = shared:get(key)
    if cached then
        return cjson.decode(cached), flags
    end
    local out = {{ id = req.id, n = {function} * 2 + 1, tags = {{ "a", "b", [[long string]] }} }}
    for i = 1, #req.items do
        local item = req.items[i]
        if type(item) == "table" and item.kind ~= "skip" then
            insert(out.tags, string.format("%s-%d", item.name or "?", i))
        elseif item == nil then
            break
        end
    end
    local ok, err = shared:set(key, cjson.encode(out), opts.ttl or 60)
    if not ok then
        ngx.log(ngx.ERR, "cache set failed: ", err)
    end
    return out, #out.tags > 0 and 1 or 0
end
"""
        )
        body_lines += 22
        function += 1
    parts.append("return _M\n")
    return "".join(parts)


def write_openresty(out: Path, modules: int = 100, lines_per_module: int = 500) -> Path:
    root = out / "openresty"
    (root / "conf").mkdir(parents=True, exist_ok=True)
    (root / "lua").mkdir(parents=True, exist_ok=True)
    for index in range(modules):
        (root / "lua" / f"mod_{index:03}.lua").write_text(lua_module(index, modules, lines_per_module))
    (root / "conf" / "nginx.conf").write_text(
        """worker_processes 2;
error_log stderr;
events { worker_connections 1024; }
http {
    access_log /dev/stdout;
    lua_package_path "$prefix/lua/?.lua;;";
    lua_shared_dict cache 10m;
    server {
        listen 8080;
        location / {
            content_by_lua_block {
                local mod = require "mod_000"
                ngx.say(mod._VERSION)
            }
        }
    }
}
"""
    )
    return root / "conf" / "nginx.conf"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--servers", type=int, default=2000)
    parser.add_argument("--quick", action="store_true", help="small inputs of the same shapes")
    args = parser.parse_args()
    if args.quick:
        written = (write_single(args.out, 20), write_tree(args.out, 20, files=10),
                   write_openresty(args.out, modules=5, lines_per_module=100))
    else:
        written = (write_single(args.out, args.servers), write_tree(args.out, args.servers),
                   write_openresty(args.out))
    for path in written:
        files = [f for f in path.parent.parent.rglob("*") if f.is_file()] if path.parent.name == "conf" else [
            f for f in path.parent.rglob("*") if f.is_file()]
        lines = sum(f.read_text().count("\n") for f in files)
        print(f"wrote {path}: {len(files)} files, {lines} lines")


if __name__ == "__main__":
    main()
