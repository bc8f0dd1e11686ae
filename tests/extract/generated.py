"""Generated assessments with their truth, and the check every extraction test of them makes."""

from __future__ import annotations

import random
from collections.abc import Callable

from pia_graph.extract.core import extract_text
from pia_graph.extract.history import find_history_start, split_pages
from pia_graph.synth import random_record, render_text_with_truth

Instances = Callable[[dict], list[tuple[str, dict]]]


def generated(seed: int, count: int, keep: Callable[[dict], bool] = lambda _record: True,
              ) -> list[tuple[str, dict, dict]]:
    """(text, truth, extracted) for the shuffled renderings of the records ``keep`` accepts."""
    out = []
    for index in range(count):
        rng = random.Random(seed + index)
        record = random_record(rng, index)
        if not keep(record):
            continue
        text, truth = render_text_with_truth(record, rng, shuffle=True)
        out.append((text, truth, extract_text(text, f"gen{index}.txt")))
    return out


def truth_or_abstention(truth: dict, extracted: dict, instances: Instances,
                        fields: tuple[str, ...]) -> tuple[int, int]:
    """Assert that each field of each instance is the generator's truth, or null with an
    abstention where the text states a value; count (read, abstained)."""
    read = abstained = 0
    hidden = {u["path"]: u.get("hidden") for u in truth["uncertain"]}
    uncertain = {u["path"] for u in extracted["uncertain"]}
    assert len(instances(extracted)) == len(instances(truth))
    for (base, got), (_, want) in zip(instances(extracted), instances(truth), strict=True):
        for name in fields:
            path = f"{base}/{name}"
            got_value, want_value = got.get(name), want.get(name)  # optional fields may be absent
            if got_value is None:
                if want_value is not None:      # the text states it: say why it was not read
                    assert path in uncertain, (extracted["source"], path, want_value)
                    abstained += 1
            elif want_value is None:            # the generator thought it undecidable ...
                assert got_value == hidden[path], (extracted["source"], path)  # ... but it is right
                read += 1
            else:
                assert got_value == want_value, (extracted["source"], path)
                read += 1
    return read, abstained


def reshuffled_blocks(text: str, rng: random.Random) -> str:
    """``text`` with the blocks of each page before the change history put in a random order: a
    harsher shuffle than the PDF-to-text tool's, under which reading may lose values but must not
    get one wrong."""
    lines = text.split("\n")
    pages = split_pages(lines)
    cut = find_history_start(lines, pages)
    out: list[str] = []
    position = 0
    for start, end in pages:
        out += lines[position:start]
        position = end
        if cut is not None and start >= cut:
            out += lines[start:end]
            continue
        blocks: list[list[str]] = []
        current: list[str] = []
        for line in lines[start:end]:
            if line.strip():
                current.append(line)
            elif current:
                blocks.append(current)
                current = []
        if current:
            blocks.append(current)
        rng.shuffle(blocks)
        out += [line for block in blocks for line in [*block, ""]][:-1]
    out += lines[position:]
    return "\n".join(out)
