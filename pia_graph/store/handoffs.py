"""Handoffs: which flows pass data on from one assessment's holder to another's.

A flow (提供 or 移転) ends at a recipient resource. When that recipient is itself the holder of
another assessment, data sent there may travel on, and ``trace`` follows it (multi-hop paths). The
test is the one ``pia_graph.query.trace`` documents:

- a 提供 reaches the holders whose body is the recipient resource, or whose body shares a search
  key (``search_key``) with it;
- a 移転 stays inside the sender's body: it reaches the holders of that body whose department is
  the recipient resource, or whose department's search key ends with one of the recipient's.

The recipient's *labels* decide, not the name printed in the flow's entry: ``record_to_graph``
writes that name as one of the resource's labels, so it is among them.

``passes_on`` applies the test to a batch of flows and a set of holders. ``trace`` calls it hop
by hop on the part of the network it walks; ``FlowIndex.refresh_handoffs`` calls it once on the
whole index and keeps the result (at 50,000 assessments: 31,000 handoffs among 206,000 flows),
so a trace over a fresh index reads them instead of deciding them again.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache


@lru_cache(maxsize=65_536)  # trace folds the same names again and again
def search_key(text: str) -> str:
    """NFKC, whitespace removed, middle dots unified: the form recipient names are compared in."""
    folded = "".join(unicodedata.normalize("NFKC", text).split())
    for dot in ("･", "·", "•", "‧"):
        folded = folded.replace(dot, "・")
    return folded


Labels = Mapping[str, Collection[str]]      # resource → its search keys
Memo = dict[tuple[str, str], set[str]]      # (resource, printed name) → search keys, see names_of


@dataclass(slots=True)
class Holder:
    """The holder of one assessment: its body and 事務's department (IRIs and printed names)."""

    assessment: str
    body_iri: str = ""
    body: str = ""
    business: str = ""
    department_iri: str = ""
    department: str = ""
    source_file: str = ""


def names_of(iri: str, printed: str, labels: Labels, memo: Memo | None = None) -> set[str]:
    """The search keys of a resource (its labels and the printed name); ``memo`` may keep them
    while ``labels`` holds every label of the resources asked about (it is not changed)."""
    if memo is not None:
        found = memo.get((iri, printed))
        if found is None:
            found = memo[(iri, printed)] = names_of(iri, printed, labels)
        return found
    names = set(labels.get(iri, set()))
    if printed:
        names.add(search_key(printed))
    names.discard("")
    return names


def bodies_named(recipient: str, by_body_iri: Mapping[str, list[Holder]],
                 by_body_name: Mapping[str, list[Holder]], labels: Labels, memo: Memo) -> list[str]:
    """The holders (of ``by_body_iri``) a 提供 to ``recipient`` passes data on to: its recipient
    is their body, or shares a label with it."""
    names = names_of(recipient, "", labels, memo)
    if not names:
        return []
    found = [holder.assessment for holder in by_body_iri.get(recipient, [])] if recipient else []
    for name in names:
        found.extend(holder.assessment for holder in by_body_name.get(name, []))
    return list(dict.fromkeys(found))


def departments(same_body: list[Holder], labels: Labels,
                memo: Memo) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """The holders of one body by department: (department IRI → holders, search key of their
    department → holders)."""
    by_iri: dict[str, list[str]] = {}
    by_name: dict[str, list[str]] = {}
    for holder in same_body:
        if holder.department_iri:
            by_iri.setdefault(holder.department_iri, []).append(holder.assessment)
        for name in names_of(holder.department_iri, holder.department, labels, memo):
            by_name.setdefault(name, []).append(holder.assessment)
    return by_iri, by_name


def units_named(recipient: str, same_body: tuple[dict[str, list[str]], dict[str, list[str]]],
                labels: Labels, memo: Memo) -> list[str]:
    """The holders of the sender's body (``same_body``, see ``departments``) a 移転 to
    ``recipient`` passes data on to: its recipient is their department, or a label of it ends
    one of their department's."""
    names = names_of(recipient, "", labels, memo)
    if not names:
        return []
    by_iri, by_name = same_body
    found = list(by_iri.get(recipient, [])) if recipient else []
    endings = tuple(names)
    for department, holders in by_name.items():
        if department.endswith(endings):
            found.extend(holders)
    return list(dict.fromkeys(found))


def passes_on(flows: Iterable[tuple[str, str, str, str]], senders: Mapping[str, Holder],
              receivers: Iterable[Holder], labels: Labels,
              memo: Memo | None = None) -> Iterator[tuple[str, str, str]]:
    """(flow, its sender's assessment, receiving assessment) for every flow of ``flows`` —
    (flow, assessment, kind, recipient resource) — that passes data on to one of ``receivers``
    (another assessment than its own). ``senders`` gives the holder of each flow's assessment
    (flows without one are skipped); ``labels`` every label of the resources involved.

    Who receives a flow depends on its recipient only, and on the sender's body for a 移転,
    so the test runs once per recipient (and body), not once per flow."""
    memo = {} if memo is None else memo
    by_body_iri: dict[str, list[Holder]] = {}
    by_body_name: dict[str, list[Holder]] = {}
    for holder in receivers:
        if holder.body_iri:
            by_body_iri.setdefault(holder.body_iri, []).append(holder)
        for name in names_of(holder.body_iri, holder.body, labels, memo):
            by_body_name.setdefault(name, []).append(holder)
    provided: dict[str, list[str]] = {}
    transferred: dict[tuple[str, str], list[str]] = {}
    departments_of: dict[str, tuple[dict[str, list[str]], dict[str, list[str]]]] = {}
    for key, assessment, kind, recipient in flows:
        sender = senders.get(assessment)
        if sender is None:
            continue
        if kind == "transfer":
            if not sender.body_iri:
                continue
            found = transferred.get((recipient, sender.body_iri))
            if found is None:
                same_body = departments_of.get(sender.body_iri)
                if same_body is None:
                    same_body = departments_of[sender.body_iri] = departments(
                        by_body_iri.get(sender.body_iri, []), labels, memo)
                found = transferred[(recipient, sender.body_iri)] = units_named(recipient, same_body, labels, memo)
        else:
            found = provided.get(recipient)
            if found is None:
                found = provided[recipient] = bodies_named(recipient, by_body_iri, by_body_name, labels, memo)
        for other in found:
            if other != assessment:
                yield key, assessment, other


__all__ = ["Holder", "bodies_named", "departments", "names_of", "passes_on", "search_key", "units_named"]
