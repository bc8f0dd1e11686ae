"""Entity resolution: one resource for one body, however it is printed.

The rules are data (``pia_graph/data/entities.yaml``); this module applies them in a fixed
order and remembers which ones changed the key, so ``explain(name)`` can say why two
spellings became one resource. The printed spelling is never lost: the mapping keeps every
spelling as a label of the resolved resource.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Resolution:
    """The outcome of resolving one printed name."""

    printed: str
    key: str                           # shared by every spelling of the same body
    canonical: str                     # the name to show (a known entity's name, else the printed one)
    rules: tuple[str, ...]             # ids of the rules that changed the key, in order
    parent_key: str | None = None      # for an organisational unit: its organisation's key
    parent_name: str | None = None     # the organisation's name as printed
    unit_name: str | None = None       # the unit's own name (千葉支社)
    known_id: str | None = None        # id of a known entity, when one matched
    name_en: str | None = None
    extra_labels: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class _Rules:
    middle_dots: tuple[str, ...]
    middle_dot_replacement: str
    term_variants: tuple[tuple[str, str, str], ...]          # (id, from, to)
    known: dict[str, dict[str, Any]]                         # folded alias → entity
    unit_rule_id: str
    agent_rule_id: str
    company_markers: tuple[str, ...]
    unit_suffixes: tuple[str, ...]
    all_rule_ids: tuple[str, ...]


def _load_yaml() -> dict[str, Any]:
    text = resources.files("pia_graph").joinpath("data/entities.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


@lru_cache(maxsize=1)
def _rules() -> _Rules:
    data = _load_yaml()
    normalise = {rule["id"]: rule for rule in data["normalise"]}
    middle = normalise["middle-dot"]
    variants = tuple((v["id"], v["from"], v["to"]) for v in data["term_variants"])
    known: dict[str, dict[str, Any]] = {}
    for entity in data["known_entities"]:
        for alias in [entity["key"], *entity.get("aliases", [])]:
            known[_fold(alias, tuple(middle["characters"]), middle["replacement"])] = entity
    units = data["organisational_units"]
    ids = [*normalise, *(v[0] for v in variants), "known-alias", data["agent_in_brackets"]["id"], units["id"]]
    return _Rules(
        middle_dots=tuple(middle["characters"]),
        middle_dot_replacement=middle["replacement"],
        term_variants=variants,
        known=known,
        unit_rule_id=units["id"],
        agent_rule_id=data["agent_in_brackets"]["id"],
        company_markers=tuple(unicodedata.normalize("NFKC", m) for m in units["company_markers"]),
        unit_suffixes=tuple(units["unit_suffixes"]),
        all_rule_ids=tuple(ids),
    )


def _fold(text: str, dots: tuple[str, ...] = ("･", "·", "•", "‧"), dot: str = "・") -> str:
    folded = _SPACES.sub("", unicodedata.normalize("NFKC", text))
    for character in dots:
        folded = folded.replace(character, dot)
    return folded


def fold(text: str) -> str:
    """NFKC + whitespace removal + middle-dot unification: the base of every key."""
    rules = _rules()
    return _fold(text, rules.middle_dots, rules.middle_dot_replacement)


def rule_ids() -> tuple[str, ...]:
    """Every rule id the resolver can report."""
    return _rules().all_rule_ids


def _normalise(name: str, applied: list[str]) -> str:
    rules = _rules()
    current = name
    nfkc = unicodedata.normalize("NFKC", current)
    if nfkc != current:
        applied.append("nfkc")
    current = nfkc
    stripped = _SPACES.sub("", current)
    if stripped != current:
        applied.append("whitespace")
    current = stripped
    dotted = current
    for character in rules.middle_dots:
        dotted = dotted.replace(character, rules.middle_dot_replacement)
    if dotted != current:
        applied.append("middle-dot")
    current = dotted
    for rule_id, source, target in rules.term_variants:
        if source in current:
            current = current.replace(source, target)
            applied.append(rule_id)
    return current


def _split_unit(name: str) -> tuple[str, str] | None:
    """``(company, unit)`` when ``name`` (printed form, NFKC) names a company's branch."""
    rules = _rules()
    text = unicodedata.normalize("NFKC", name).strip()
    suffixes = "|".join(map(re.escape, rules.unit_suffixes))
    markers = "|".join(map(re.escape, rules.company_markers))
    # marker ends the company name: 架空データ株式会社 北支社 (space optional)
    match = re.fullmatch(rf"(.+?(?:{markers}))\s*(\S+?(?:{suffixes}))", text)
    if match and match.group(1) not in rules.company_markers:
        return match.group(1), match.group(2)
    # marker starts it: the unit must be set apart by a space as printed
    match = re.fullmatch(rf"((?:{markers})\s*\S+?)\s+(\S+?(?:{suffixes}))", text)
    if match:
        return match.group(1), match.group(2)
    return None


@lru_cache(maxsize=4096)
def resolve_entity(name: str) -> Resolution:
    """Resolve a printed organisation / system name to its key (see the module docstring)."""
    rules = _rules()
    applied: list[str] = []
    key = _normalise(name, applied)
    entity = rules.known.get(key)
    if entity is not None:
        if key != entity["key"]:
            applied.append("known-alias")
        return Resolution(name, entity["key"], entity["name_ja"], tuple(applied),
                          known_id=entity["id"], name_en=entity.get("name_en"))
    bracket = re.fullmatch(r"(.+?)\((.+)\)", key)
    if bracket:
        agent = rules.known.get(bracket.group(2))
        if agent is not None:
            applied.append(rules.agent_rule_id)
            return Resolution(name, agent["key"], agent["name_ja"], tuple(applied),
                              known_id=agent["id"], name_en=agent.get("name_en"))
    unit = _split_unit(name)
    if unit is not None:
        company, unit_name = unit
        company_key = _normalise(company, [])
        applied.append(rules.unit_rule_id)
        return Resolution(name, f"{company_key}/{_normalise(unit_name, [])}", name, tuple(applied),
                          parent_key=company_key, parent_name=company.strip(), unit_name=unit_name.strip())
    return Resolution(name, key, name, tuple(applied))


def explain(name: str) -> list[str]:
    """The ids of the rules that changed ``name``'s key, in the order they were applied."""
    return list(resolve_entity(name).rules)


def department_key(department: str, body_name: str | None) -> str:
    """A department's key inside its body: the body's place name and 役所/役場 are dropped,
    so 架空市福祉部年金課 / 架空市役所福祉部年金課 / 福祉部年金課 agree."""
    key = fold(department)
    if body_name:
        place = re.sub(r"(長|知事|教育委員会|議会)$", "", fold(body_name))
        for prefix in (f"{place}役所", f"{place}役場", place):
            if place and key.startswith(prefix) and len(key) > len(prefix):
                key = key[len(prefix):]
                break
    return key
