"""Controlled vocabularies: the allowed values of a field, their older wordings and variants,
and how a written value is matched to one of them. No I/O, no third-party imports."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType


def normalise(value: str) -> str:
    """Fold case and spacing so that near-identical wordings compare equal."""
    value = value.replace("_", "/").replace("&", " and ")
    return " ".join(value.casefold().split()).rstrip(".")


def header_key(text: object) -> str:
    """A column header as compared: normalised, without a trailing required-marker '*'."""
    if text is None:
        return ""
    return normalise(str(text).strip().rstrip("*").strip())


@dataclass(frozen=True)
class Vocabulary:
    """A controlled list of values, with older wordings and spelling variants."""

    key: str
    values: tuple[str, ...]
    legacy: tuple[str, ...] = ()
    variants: Mapping[str, str] = field(default_factory=dict)
    open: bool = False
    #: Values may carry a qualifier after a comma that the list leaves out, as GtR writes
    #: countries ("Switzerland, Swiss Confederation" is "Switzerland").
    qualified: bool = False
    _lookup: Mapping[str, tuple[str, str]] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        table: dict[str, tuple[str, str]] = {}
        for old, new in self.variants.items():
            table[normalise(old)] = (new, "variant")
        for value in self.legacy:
            table[normalise(value)] = (value, "legacy")
        for value in self.values:
            table[normalise(value)] = (value, "current")
        # Frozen all the way down: a vocabulary cannot be changed once made.
        object.__setattr__(self, "variants", MappingProxyType(dict(self.variants)))
        object.__setattr__(self, "_lookup", MappingProxyType(table))

    def match(self, raw: str, allow_prefix: bool = False) -> tuple[str | None, str]:
        """Return (allowed value, how it matched) for `raw`.

        How it matched is ``exact``, ``case`` (differs only in case or spacing), ``variant``
        (an older wording or spelling, mapped to the current one), ``legacy`` (an old value
        researchfish no longer offers), ``prefix`` (with `allow_prefix`: the start of exactly
        one value, as when GtR cut a long list short) or ``unknown`` (value is None).
        """
        if raw in self.values:
            return raw, "exact"
        wanted = normalise(raw)
        hit = self._lookup.get(wanted)
        if hit is None and self.qualified and ", " in raw:
            head = self._lookup.get(normalise(raw.split(", ", 1)[0]))
            if head is not None:
                return head[0], "variant"
        if hit is None:
            # A value cut short (GtR truncates long multi-value strings): a unique prefix.
            if allow_prefix and len(wanted) >= 4:
                starts = {v for k, (v, kind) in self._lookup.items() if k.startswith(wanted) and kind == "current"}
                if len(starts) == 1:
                    return starts.pop(), "prefix"
            return None, "unknown"
        value, kind = hit
        if kind == "current":
            return value, "case"
        return value, kind

    def suggest(self, raw: str, n: int = 3) -> list[str]:
        """Up to `n` allowed values closest to `raw`, best first."""
        wanted = normalise(raw)
        keys = list(self._lookup)
        close = difflib.get_close_matches(wanted, keys, n=n * 2, cutoff=0.6)
        if not close:
            # A short value inside a long one ("Policymakers" -> "Policymakers/politicians").
            close = [k for k in keys if wanted and (k.startswith(wanted) or wanted in k.split("/"))]
        seen: list[str] = []
        for key in close:
            value = self._lookup[key][0]
            if value not in seen:
                seen.append(value)
        return seen[:n]
