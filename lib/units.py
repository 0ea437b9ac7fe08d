"""Unit names: canonical units, aliases, groups, and who is responsible for what."""
from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass, field

import pandas as pd

from lib.schema import GROUP_KIND

VIA_DIRECT, VIA_ALIAS, VIA_GROUP = "直接", "别名", "组团"
ROLE_LEAD, ROLE_RESPONSIBLE = "牵头单位", "责任单位"
_VIA_RANK = {VIA_DIRECT: 0, VIA_ALIAS: 1, VIA_GROUP: 2}
_ROLE_RANK = {ROLE_LEAD: 0, ROLE_RESPONSIBLE: 1}


def normalise_name(name: object) -> str:
    """Forgive what a clerk cannot see: full-width characters, spaces, line breaks."""
    text = unicodedata.normalize("NFKC", str(name))
    return "".join(text.split())


@dataclass(frozen=True)
class UnitInfo:
    unit: str
    kind: str
    aliases: tuple[str, ...] = ()
    members: tuple[str, ...] = ()

    @property
    def is_group(self) -> bool:
        return self.kind == GROUP_KIND


@dataclass
class UnitDirectory:
    units: dict[str, UnitInfo]
    _lookup: dict[str, str] = field(default_factory=dict, repr=False)
    _members: dict[str, frozenset[str]] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        for info in self.units.values():
            for name in (info.unit, *info.aliases):
                self._lookup.setdefault(normalise_name(name), info.unit)

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> "UnitDirectory":
        return cls({r.unit: UnitInfo(r.unit, r.kind, tuple(r.aliases), tuple(r.members)) for r in frame.itertuples()})

    def resolve(self, name: object) -> str | None:
        """Any spelling (name or alias, spaces and full-width forgiven) → canonical unit, or None."""
        return self._lookup.get(normalise_name(name))

    def closest(self, name: object, n: int = 3) -> list[str]:
        """Closest canonical names, for the "did you mean" part of an error message."""
        matches = difflib.get_close_matches(normalise_name(name), list(self._lookup), n=n * 2, cutoff=0.4)
        seen: list[str] = []
        for m in matches:
            if self._lookup[m] not in seen:
                seen.append(self._lookup[m])
        return seen[:n]

    def members_of(self, group: str) -> set[str]:
        """All (non-group) members of a group, following nested groups (worked out once per group)."""
        if group not in self._members:
            self._members[group] = frozenset(self._walk_members(group))
        return set(self._members[group])

    def _walk_members(self, group: str) -> set[str]:
        out: set[str] = set()
        stack, visited = [group], set()
        while stack:
            name = stack.pop()
            if name in visited or name not in self.units:
                continue
            visited.add(name)
            for m in self.units[name].members:
                canonical = self.resolve(m) or m
                if canonical in self.units and self.units[canonical].is_group:
                    stack.append(canonical)
                else:
                    out.add(canonical)
        return out

    def groups_of(self, unit: str) -> list[str]:
        return [g for g, info in self.units.items() if info.is_group and unit in self.members_of(g)]

    def reporting_units(self) -> list[str]:
        """Units that can hold an account and report (everything but groups)."""
        return [u for u, info in self.units.items() if not info.is_group]

    def how_named(self, unit: str, written: str) -> str | None:
        """How `written` (a name in a plan cell) designates `unit`: directly, by alias, via a group, or not."""
        canonical = self.resolve(written)
        if canonical is None:
            return None
        if canonical == unit:
            return VIA_DIRECT if normalise_name(written) == normalise_name(unit) else VIA_ALIAS
        if self.units[canonical].is_group and unit in self.members_of(canonical):
            return VIA_GROUP
        return None


RESPONSIBILITY_COLUMNS = ["item_type", "item_id", "name", "role", "via", "named_as"]


def responsibilities(directory: UnitDirectory, indicators: pd.DataFrame, tasks: pd.DataFrame, unit: str) -> pd.DataFrame:
    """Every indicator and task `unit` answers for: role (牵头/责任), via (直接/别名/组团), and the name
    the plan uses. When a unit is named several ways, the strongest is kept (lead over responsible,
    direct over alias over group)."""
    rows: list[dict] = []
    for item_type, frame, id_col, name_col in (("指标", indicators, "indicator_id", "name"), ("任务", tasks, "task_id", "title")):
        for rec in frame[[id_col, name_col, "lead_units", "responsible_units"]].itertuples(index=False):
            best: tuple | None = None
            for role, names in ((ROLE_LEAD, rec.lead_units), (ROLE_RESPONSIBLE, rec.responsible_units)):
                for written in names:
                    via = directory.how_named(unit, written)
                    if via is None:
                        continue
                    key = (_ROLE_RANK[role], _VIA_RANK[via])
                    if best is None or key < best[0]:
                        best = (key, role, via, written)
            if best:
                rows.append(dict(zip(RESPONSIBILITY_COLUMNS, (item_type, rec[0], rec[1], best[1], best[2], best[3]))))
    return pd.DataFrame(rows, columns=RESPONSIBILITY_COLUMNS)


def is_responsible(directory: UnitDirectory, names: tuple[str, ...], unit: str) -> bool:
    return any(directory.how_named(unit, n) for n in names)
