"""Which reads of a global may see a value that another request wrote.

A worker runs one request's Lua at a time and switches only where the code yields (a cosocket's call, ngx.sleep,
a subrequest). A global written and then read by the same function, on every path and with no such call in
between, holds that run's own value, however many requests share the global. Any other read may see whichever
request wrote it last. The walk of facts.py reports its events here in execution order: writes and reads of
globals, calls that may yield, and the blocks and functions it enters.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from . import ast
from .stdlib import COSOCKET_MODULES, STANDARD_GLOBALS

# ngx_lua calls that yield to the event loop, or run code of their own that may (a light thread)
YIELDING_NGX = frozenset((
    "ngx.sleep", "ngx.location.capture", "ngx.location.capture_multi", "ngx.flush", "ngx.eof",
    "ngx.req.read_body", "ngx.req.socket", "ngx.socket.connect", "ngx.thread.spawn", "ngx.thread.wait",
    "ngx.run_worker_thread",
))
# Libraries whose calls wait on the network, a lock or the request body: the cosocket clients, OpenID Connect's
# flows (they fetch the provider's keys and tokens), resty.lock's lock (it sleeps while another worker holds it),
# mlcache (it locks around a miss), uploads read from the request's socket, commands run through ngx.pipe
YIELDING_MODULES = COSOCKET_MODULES | frozenset((
    "resty.openidc", "resty.lock", "resty.mlcache", "resty.upload", "resty.websocket.server", "resty.shell",
))
# The methods by which the cosocket clients talk (`sock:receive()`, `red:connect()`, `httpc:request_uri()`,
# `db:query()`): called on an object the walk cannot place, such as a client another function made, they are taken
# as a yield. Any other call it cannot see into (a module of the repository, a rock) is taken as returning without
# one: a race is reported only where a switch to another request is known to happen.
COSOCKET_VERBS = frozenset((
    "connect", "sslhandshake", "send", "receive", "receiveany", "receiveuntil", "request", "request_uri",
    "read_response", "query", "send_query", "read_result", "commit_pipeline", "lock",
))
STILL_FUNCTION = ("function", "still")  # a function of the chunk that calls nothing that may yield
YIELDING_FUNCTION = ("function", "yields")  # a function of the chunk that makes a call that may yield


_NEVER = float("inf")  # the tick up to which an alternative is passed over, for a branch that ends the run


@dataclass(frozen=True)
class SharedRead:
    """A read of a global that may see a value written outside the run of its own code: ``why`` is "unwritten" (no
    write of the same function before it on every path) or "yield" (a call that lets other requests run, such as a
    cosocket's, comes between that write and the read)."""

    name: str
    span: tuple
    why: str


def call_may_yield(func, callee) -> bool:
    """Whether a call may let other requests run before it returns. `func` is the walk's abstract value of the
    function called (None when unknown), `callee` the expression that names it (`db.query`)."""
    if func is None:
        return type(callee) is ast.Index and callee.dot and callee.key.name in COSOCKET_VERBS
    kind = func[0]
    if kind == "path":
        return func[1] in YIELDING_NGX
    if kind == "member":
        return func[1] in YIELDING_MODULES or func[2] in COSOCKET_VERBS
    return func is YIELDING_FUNCTION


def method_may_yield(obj, method: str) -> bool:
    """`sock:receive()`, `red:get(k)` on a cosocket client, a yielding library's method: the call may yield; a shared
    dict's, a metric's, a string's or a file handle's method does not. `obj` is the walk's abstract value of the
    object (None when unknown)."""
    if obj is None:
        return method in COSOCKET_VERBS
    kind = obj[0]
    if kind in ("socket", "client"):
        return True
    if kind == "module":
        return obj[1] in YIELDING_MODULES or method in COSOCKET_VERBS
    return kind not in ("dict", "prom", "str", "file", "path", "function", "num", "getenv") and method in COSOCKET_VERBS


class GlobalOrder:
    """The events of one chunk's walk in the order they run, and the reads of globals they leave open to other
    requests (`shared_reads`)."""

    __slots__ = ("tick", "function", "functions", "path", "blocks", "loops", "writes", "reads", "yields",
                 "block_writes", "passed_over", "defined")

    def __init__(self):
        self.tick = 0
        self.function = 0  # the function being walked (0: the chunk's own code)
        self.functions = 0
        self.path: tuple = (0,)  # the blocks around the walk, outermost first
        self.blocks = 0
        self.loops: dict[int, int] = {}  # a loop's block -> the tick its walk ended at
        self.writes: dict[str, list] = {}  # name -> [(tick, function, path, seen from tick)]
        self.block_writes: dict[tuple, dict[str, int]] = {}  # a block -> the names written in it, at which tick
        self.reads: list = []  # (name, span, tick, function, path)
        self.yields: dict[int, list[int]] = {}  # function -> ticks of the calls that may yield
        # (after, until, if_end): the ticks of an if's branch, which no later elseif test or branch of the same if,
        # up to if_end, runs after
        self.passed_over: list[tuple[int, int, int]] = []
        self.defined: dict[int, tuple] = {}  # a function -> (the tick, the function and the blocks it is defined in)

    def enter_block(self) -> tuple:
        self.blocks += 1
        outer, self.path = self.path, self.path + (self.blocks,)
        return outer

    def leave_block(self, outer: tuple) -> None:
        self.path = outer

    def enter_loop(self) -> tuple:
        outer = self.enter_block()
        self.loops[self.blocks] = 0
        return outer

    def leave_loop(self, outer: tuple) -> None:
        self.loops[self.path[-1]] = self.tick
        self.path = outer

    def enter_function(self) -> tuple:
        self.functions += 1
        self.defined[self.functions] = (self.tick, self.function, self.path)
        outer = (self.function, self.enter_block())
        self.function = self.functions
        return outer

    def leave_function(self, outer: tuple) -> None:
        self.function = outer[0]
        self.leave_block(outer[1])

    def write(self, name: str) -> None:
        self.tick += 1
        self.writes.setdefault(name, []).append((self.tick, self.function, self.path, self.tick))
        self.block_writes.setdefault(self.path, {})[name] = self.tick

    def leave_branch(self, outer: tuple, exits: bool) -> dict | None:
        """Leave a branch of an `if`: the names it writes in its own block, None if it never falls through."""
        written = self.block_writes.pop(self.path, {})
        self.path = outer
        return None if exits else written

    def merge(self, branches: list) -> None:
        """After an `if` whose every branch that falls through writes a name: the name is written on every path.
        From the earliest of those writes, so that a yield in a branch after its write still counts."""
        falling = [written for written in branches if written is not None]
        if not falling:
            return
        self.tick += 1
        for name in set(falling[0]).intersection(*falling[1:]):
            first = min(written[name] for written in falling)
            self.writes[name].append((first, self.function, self.path, self.tick))
            self.block_writes.setdefault(self.path, {})[name] = first

    def alternatives(self, branches: list[tuple[int, int]]) -> None:
        """After an `if`: the tick ranges of its branches followed by an `elseif` or `else`. A yield in one of them
        does not come before a read in a later alternative, which runs only when that branch did not."""
        self.passed_over.extend((after, until, self.tick) for after, until in branches)

    def dead_end(self, after: int, until: int) -> None:
        """The ticks of an if's branch that ends the run (`return`, `ngx.exit`): a yield there comes before no read
        after the if."""
        self.passed_over.append((after, until, _NEVER))

    def read(self, name: str, span) -> None:
        if name in STANDARD_GLOBALS:
            return  # the libraries nobody assigns
        self.tick += 1
        self.reads.append((name, span, self.tick, self.function, self.path))

    def call(self) -> None:
        """A call that may yield."""
        self.tick += 1
        self.yields.setdefault(self.function, []).append(self.tick)

    def shared_reads(self) -> list:
        found = []
        covering = self._covering_branches()
        for name, span, tick, function, path in self.reads:
            write = self._dominating_write(name, tick, function, path)
            if write is None:
                why = self._written_before_defined(name, tick, function)
                if why is not None:
                    found.append(SharedRead(name, span, why))
                continue
            write, write_path = write
            # in a loop the write is outside of, a yield anywhere in the loop comes before the next round's read
            until = max((self.loops.get(block, 0) for block in path[len(write_path):]), default=0)
            ticks = self.yields.get(function, ())
            between = range(bisect_right(ticks, write), bisect_right(ticks, max(tick, until)))
            # a yield in a branch of an if whose later alternative holds the read does not come before it
            if any(not any(end_of_branch < tick <= end_of_if for end_of_branch, end_of_if in covering.get(ticks[i], ()))
                   for i in between):
                found.append(SharedRead(name, span, "yield"))
        return found

    def _covering_branches(self) -> dict[int, list[tuple[int, int]]]:
        """For each yield in an if's branch followed by another alternative: (the branch's last tick, the if's last
        tick) of each such branch around it, from the innermost out. Indexed once, so that a read asks only the few
        branches around each yield."""
        every = sorted(tick for ticks in self.yields.values() for tick in ticks)
        covering: dict[int, list[tuple[int, int]]] = {}
        for after, until, end in self.passed_over:
            for index in range(bisect_right(every, after), bisect_right(every, until)):
                covering.setdefault(every[index], []).append((until, end))
        return covering

    def _written_before_defined(self, name: str, tick: int, function: int) -> str | None:
        """For a read in a function with no write of its own before it: None when the code around writes the name on
        every path before it defines the function (`stat = decode(x)` then `local function get(k) return stat[k]
        end`), so that a call, which can only come later in the run, reads the run's own value, and no yield
        comes after that write there or before the read in the function; else why it may not."""
        if function == 0:
            return "unwritten"
        defined_at, parent, path = self.defined[function]
        write = self._dominating_write(name, defined_at + 1, parent, path)
        if write is None:
            return self._written_before_defined(name, defined_at, parent) if parent else "unwritten"
        around, inside = self.yields.get(parent, ()), self.yields.get(function, ())  # ticks, in order
        return "yield" if bisect_right(around, write[0]) < len(around) or inside and inside[0] < tick else None

    def _dominating_write(self, name: str, tick: int, function: int, path: tuple) -> tuple | None:
        """The last write of `name` by the same function that runs before the read on every path to it: one in a
        block the read sits in."""
        for write_tick, write_function, write_path, seen_from in reversed(self.writes.get(name, ())):
            if seen_from < tick and write_function == function and path[:len(write_path)] == write_path:
                return write_tick, write_path
        return None
