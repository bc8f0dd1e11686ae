"""Hand-built assessment graphs (vocab.py terms only) with fictional names, for export tests."""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef

from pia_graph import vocab
from pia_graph.vocab import ID


@dataclass
class Names:
    body1: str = "架空市長"
    body2: str = "空想町長"
    department: str = "架空市市民部税務課"
    business1: str = "個人住民税に関する事務"
    business2: str = "児童手当に関する事務"
    system: str = "税務総合システム"
    file1: str = "住民税ファイル"
    file2: str = "児童手当ファイル"
    contractor: str = "株式会社架空システム"
    contractor_alt: str = "株式会社　架空システム"
    sub1: str = "合同会社下請テック"
    sub2: str = "有限会社孫請サービス"
    recipient1: str = "架空年金機構"
    recipient2: str = "架空市福祉部"
    law: str = "架空番号法"
    legal_text: str = "架空番号法第19条第8号"
    extra: dict[str, str] = field(default_factory=dict)


def _span(g: Graph, a_key: str, n: int, about: URIRef, prop: URIRef, first: int, last: int,
          path: str, page: int | None = None) -> None:
    span = ID[f"span/{a_key}/{n}"]
    g.add((span, RDF.type, vocab.SourceSpan))
    g.add((span, vocab.describes, about))
    g.add((span, vocab.aboutProperty, prop))
    g.add((span, vocab.firstLine, Literal(first, datatype=XSD.integer)))
    g.add((span, vocab.lastLine, Literal(last, datatype=XSD.integer)))
    g.add((span, vocab.recordPath, Literal(path)))
    if page is not None:
        g.add((span, vocab.page, Literal(page, datatype=XSD.integer)))


def _named(g: Graph, iri: URIRef, cls: URIRef, *names: str) -> None:
    g.add((iri, RDF.type, cls))
    for n in names:
        g.add((iri, vocab.name, Literal(n)))
    g.add((iri, RDFS.label, Literal(names[0])))


def sample_graphs(names: Names | None = None) -> list[tuple[URIRef, Graph]]:
    n = names or Names()
    out = []
    law = ID["law/000AC0000000000"]
    contractor = ID["org/kaku-system"]
    recipient1 = ID["recipient/kaku-nenkin"]

    # --- assessment 1: 委託 → 再委託 → 再々委託, one 提供 with two methods, one 移転 ------------
    a1 = ID["assessment/t1"]
    g = Graph()
    g.add((a1, RDF.type, vocab.Assessment))
    g.add((a1, vocab.assessmentNumber, Literal("1")))
    g.add((a1, vocab.title, Literal(f"{n.business1}　重点項目評価書")))
    body1 = ID["org/body1"]
    _named(g, body1, vocab.AssessingBody, n.body1)
    g.add((a1, vocab.assessedBy, body1))
    doc1 = ID["doc/t1"]
    g.add((doc1, RDF.type, vocab.SourceDocument))
    g.add((doc1, vocab.fileName, Literal("t1.pdf")))
    g.add((a1, vocab.sourceDocument, doc1))
    biz1 = ID["business/t1"]
    _named(g, biz1, vocab.Business, n.business1)
    g.add((a1, vocab.concernsBusiness, biz1))
    dept = ID["org/body1/dept"]
    _named(g, dept, vocab.Department, n.department)
    g.add((biz1, vocab.responsibleDepartment, dept))
    system = ID["system/t1/0"]
    _named(g, system, vocab.System, n.system)
    g.add((biz1, vocab.usesSystem, system))
    lb0 = ID["basis/t1/business"]
    g.add((lb0, RDF.type, vocab.LegalBasis))
    g.add((lb0, vocab.legalText, Literal(n.legal_text)))
    g.add((biz1, vocab.myNumberLegalBasis, lb0))
    cit0 = ID["citation/t1/business/0"]
    g.add((lb0, vocab.cites, cit0))
    g.add((cit0, vocab.law, law))
    _named(g, law, vocab.Law, n.law)
    g.add((law, vocab.eGovLawId, Literal("000AC0000000000")))
    f1 = ID["file/t1/0"]
    _named(g, f1, vocab.PersonalInfoFile, n.file1)
    g.add((a1, vocab.hasFile, f1))
    _span(g, "t1", 1, f1, vocab.name, 40, 40, "/files/0/name", page=3)
    e1 = ID["entrustment/t1/0/0"]
    g.add((e1, RDF.type, vocab.Entrustment))
    g.add((f1, vocab.hasEntrustment, e1))
    g.add((e1, vocab.entrustmentTitle, Literal("システム保守")))
    g.add((e1, vocab.content, Literal("保守と改修")))
    _named(g, contractor, vocab.Contractor, n.contractor)
    g.add((e1, vocab.contractor, contractor))
    _span(g, "t1", 2, e1, vocab.contractor, 60, 61, "/files/0/entrustments/0/contractor", page=4)
    s1 = ID["subcontract/t1/0/0/0"]
    g.add((s1, RDF.type, vocab.Subcontract))
    g.add((e1, vocab.hasSubcontract, s1))
    sub1 = ID["org/sub1"]
    _named(g, sub1, vocab.Contractor, n.sub1)
    g.add((s1, vocab.subcontractor, sub1))
    g.add((s1, vocab.subcontractItems, Literal("運用支援")))
    _span(g, "t1", 3, s1, vocab.subcontractor, 66, 66, "/files/0/entrustments/0/subcontract_items")
    s2 = ID["subcontract/t1/0/0/1"]
    g.add((s2, RDF.type, vocab.Subcontract))
    g.add((s1, vocab.hasSubcontract, s2))
    sub2 = ID["org/sub2"]
    _named(g, sub2, vocab.Contractor, n.sub2)
    g.add((s2, vocab.subcontractor, sub2))
    p1 = ID["provision/t1/0/0"]
    g.add((p1, RDF.type, vocab.Provision))
    g.add((f1, vocab.hasProvision, p1))
    _named(g, recipient1, vocab.Recipient, n.recipient1)
    g.add((p1, vocab.recipient, recipient1))
    g.add((p1, vocab.method, vocab.method_concept("情報提供ネットワークシステム")))
    g.add((p1, vocab.method, vocab.method_concept("電子メール")))
    g.add((p1, vocab.timing, Literal("随時")))
    g.add((p1, vocab.purpose, Literal("年金給付の審査")))
    lb1 = ID["basis/t1/0/0"]
    g.add((lb1, RDF.type, vocab.LegalBasis))
    g.add((lb1, vocab.legalText, Literal(n.legal_text)))
    g.add((p1, vocab.legalBasis, lb1))
    cit1 = ID["citation/t1/0/0/0"]
    g.add((lb1, vocab.cites, cit1))
    g.add((cit1, vocab.law, law))
    _span(g, "t1", 4, p1, vocab.recipient, 80, 80, "/files/0/provisions/0/recipient", page=5)
    _span(g, "t1", 5, p1, vocab.legalBasis, 81, 83, "/files/0/provisions/0/legal_basis", page=5)
    t1 = ID["transfer/t1/0/0"]
    g.add((t1, RDF.type, vocab.Transfer))
    g.add((f1, vocab.hasTransfer, t1))
    recipient2 = ID["recipient/kaku-fukushi"]
    _named(g, recipient2, vocab.Recipient, n.recipient2)
    g.add((t1, vocab.recipient, recipient2))
    g.add((t1, vocab.method, vocab.method_concept("庁内連携システム")))
    g.add((t1, vocab.timing, Literal("月1回")))
    _span(g, "t1", 6, t1, vocab.recipient, 90, 90, "/files/0/transfers/0/recipient", page=6)
    out.append((a1, g))

    # --- assessment 2: same contractor (other spelling) and same recipient, by paper ------------
    a2 = ID["assessment/t2"]
    g = Graph()
    g.add((a2, RDF.type, vocab.Assessment))
    g.add((a2, vocab.assessmentNumber, Literal("2")))
    g.add((a2, vocab.title, Literal(f"{n.business2}　基礎項目評価書")))
    body2 = ID["org/body2"]
    _named(g, body2, vocab.AssessingBody, n.body2)
    g.add((a2, vocab.assessedBy, body2))
    doc2 = ID["doc/t2"]
    g.add((doc2, RDF.type, vocab.SourceDocument))
    g.add((doc2, vocab.fileName, Literal("t2.txt")))
    g.add((a2, vocab.sourceDocument, doc2))
    biz2 = ID["business/t2"]
    _named(g, biz2, vocab.Business, n.business2)
    g.add((a2, vocab.concernsBusiness, biz2))
    f2 = ID["file/t2/0"]
    _named(g, f2, vocab.PersonalInfoFile, n.file2)
    g.add((a2, vocab.hasFile, f2))
    e2 = ID["entrustment/t2/0/0"]
    g.add((e2, RDF.type, vocab.Entrustment))
    g.add((f2, vocab.hasEntrustment, e2))
    _named(g, contractor, vocab.Contractor, n.contractor_alt)
    g.add((e2, vocab.contractor, contractor))
    _span(g, "t2", 1, e2, vocab.contractor, 20, 20, "/files/0/entrustments/0/contractor")
    p2 = ID["provision/t2/0/0"]
    g.add((p2, RDF.type, vocab.Provision))
    g.add((f2, vocab.hasProvision, p2))
    _named(g, recipient1, vocab.Recipient, n.recipient1)
    g.add((p2, vocab.recipient, recipient1))
    g.add((p2, vocab.method, vocab.method_concept("紙")))
    _span(g, "t2", 2, p2, vocab.recipient, 30, 30, "/files/0/provisions/0/recipient")
    for key, value in n.extra.items():
        g.add((f2, vocab.information, Literal(f"{key}:{value}")))
    out.append((a2, g))
    return out


def sample_source(names: Names | None = None):
    from .memory_source import MemorySource

    src = MemorySource()
    for iri, g in sample_graphs(names):
        src.add_graph(iri, g)
    return src
