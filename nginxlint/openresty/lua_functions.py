"""The functions of a deployment's Lua by the names other chunks call them: `module.member` of a required module,
a global function, or a function of a table or module held by a global (one Lua VM per subsystem). The taint rules
and the phase rule follow calls across chunks through it."""
from __future__ import annotations


class Functions:
    def __init__(self, units):
        """`units`: LuaUnits whose facts have taint summaries."""
        self.modules: dict = {}  # (subsystem, module name) -> unit
        self.globals: dict = {}  # (subsystem, global name) -> (unit, what it holds)
        for unit in units:
            if unit.kind == "module":
                self.modules.setdefault((unit.subsystem, unit.module), unit)
            for name, value in unit.facts.taint.globals.items():
                self.globals.setdefault((unit.subsystem, name), (unit, value))

    def module(self, subsystem: str, name: str):
        return self.modules.get((subsystem, name))

    def find(self, subsystem: str, module: str, member: str):
        """(unit, Summary) of `module.member`, or None."""
        from ..lua.taint_model import GLOBAL, Summary  # the Lua analysis, only when a config runs Lua

        if module.startswith(GLOBAL):
            name = module[len(GLOBAL):]
            found = self.globals.get((subsystem, name or member))
            if found is None:
                return None
            unit, value = found
            if not name:  # a global function
                return (unit, value) if isinstance(value, Summary) else None
            if isinstance(value, dict):  # a table of functions
                summary = value.get(member)
                return None if summary is None else (unit, summary)
            if isinstance(value, tuple) and value[:1] == ("module",):
                module = value[1]
            else:
                return None
        target = self.modules.get((subsystem, module))
        if target is None:
            return None
        summary = target.facts.taint.exports.get(member)
        return None if summary is None else (target, summary)
