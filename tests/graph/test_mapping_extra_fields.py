"""Further form fields (使用方法, 保管場所, 記録項目, 請求先, 連絡先) reach the graph with their source lines."""

from __future__ import annotations

import random

from rdflib import Literal

from pia_graph import vocab
from pia_graph.rdf import record_to_graph
from pia_graph.synth import random_record


def test_extra_text_fields_are_mapped_with_provenance() -> None:
    record = random_record(random.Random(4), 4)
    file = record["files"][0]
    file.update(usage="月次で突合する", storage="庁舎内サーバ室に保管", record_items_appendix="1 氏名 2 住所")
    record["disclosure"] = {"contact": "架空市総務課"}
    record["inquiry"] = {"contact": "架空市保険年金課"}
    record["provenance"] = {"/files/0/usage": {"lines": [10, 12]}, "/inquiry/contact": {"lines": [90, 91]}}
    iri, graph = record_to_graph(record)

    assert (None, vocab.usage, Literal("月次で突合する")) in graph
    assert (None, vocab.storage, Literal("庁舎内サーバ室に保管")) in graph
    assert (None, vocab.recordItems, Literal("1 氏名 2 住所")) in graph
    assert (iri, vocab.disclosureContact, Literal("架空市総務課")) in graph
    assert (iri, vocab.inquiryContact, Literal("架空市保険年金課")) in graph
    spans = {str(graph.value(span, vocab.recordPath)): (graph.value(span, vocab.firstLine),
                                                       graph.value(span, vocab.aboutProperty))
             for span in graph.subjects(vocab.recordPath, None)}
    assert spans["/files/0/usage"] == (Literal(10), vocab.usage)
    assert spans["/inquiry/contact"] == (Literal(90), vocab.inquiryContact)
