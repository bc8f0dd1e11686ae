"""The extractor caches line and block readings, checkbox scans and chosen options by text across
documents: a record must not depend on what was extracted before it (warm caches give exactly the
record of cold caches; ``layout.clear_caches`` empties every one of them)."""

from __future__ import annotations

import json
import random

from pia_graph.extract.core import extract_text
from pia_graph.extract.layout import Segmenter, clear_caches
from pia_graph.synth import random_record, render_text_with_truth


def test_records_with_warm_caches_equal_records_with_cold_caches() -> None:
    rng = random.Random(808)
    documents = [render_text_with_truth(random_record(rng, i), rng, shuffle=i % 2 == 1)[0] for i in range(16)]
    cold = []
    for index, text in enumerate(documents):
        clear_caches()
        cold.append(json.dumps(extract_text(text, f"doc-{index}.txt"), ensure_ascii=False))
    clear_caches()
    for text in documents:  # warm every cache with all documents first
        extract_text(text, "warm-up.txt")
    warm = [json.dumps(extract_text(text, f"doc-{index}.txt"), ensure_ascii=False)
            for index, text in reversed(list(enumerate(documents)))]
    assert list(reversed(warm)) == cold
    assert Segmenter._block_cache, "the block cache was not used"
