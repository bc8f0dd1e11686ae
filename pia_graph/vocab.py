"""The RDF vocabulary contract shared by every stage.

`ontology/pia.ttl` defines each term here (labels in Japanese and English, comments);
SPARQL in `queries/`, the store, the validators and the exporters use only these names,
so a term is renamed here and in the ontology, never in one place alone.

IRI layout
- ontology terms:        https://w3id.org/pia-graph/ontology#Term   (prefix ``pia:``)
- concept schemes:       https://w3id.org/pia-graph/vocab/<scheme>/<concept>
- data resources:        https://w3id.org/pia-graph/id/<kind>/<key>
- one named graph per assessment, named by the assessment's IRI; the ontology and the
  concept schemes live in the named graph ``ONTOLOGY_GRAPH``.
Queries are written against the union of all named graphs (pyoxigraph's
``use_default_graph_as_union``; an Oxigraph server started with ``--union-default-graph``;
Virtuoso's default behaviour).
"""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

PIA = Namespace("https://w3id.org/pia-graph/ontology#")
PIA_VERSION_IRI = URIRef("https://w3id.org/pia-graph/ontology/0.1.0")
VOCAB = Namespace("https://w3id.org/pia-graph/vocab/")
ID = Namespace("https://w3id.org/pia-graph/id/")
ONTOLOGY_GRAPH = URIRef("https://w3id.org/pia-graph/graph/ontology")

ORG = Namespace("http://www.w3.org/ns/org#")
DPV = Namespace("https://w3id.org/dpv#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")

PREFIXES: dict[str, Namespace | str] = {
    "pia": PIA,
    "piav": VOCAB,
    "piaid": ID,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "skos": SKOS,
    "xsd": XSD,
    "prov": PROV,
    "dcterms": DCTERMS,
    "org": ORG,
    "dpv": DPV,
    "eli": ELI,
}

# --- classes -------------------------------------------------------------------------------
Assessment = PIA.Assessment              # 評価書
AssessingBody = PIA.AssessingBody        # 評価実施機関 (an org:Organization)
Department = PIA.Department              # 部署 (an org:OrganizationalUnit)
Business = PIA.Business                  # 事務
System = PIA.System                      # システム
PersonalInfoFile = PIA.PersonalInfoFile  # 特定個人情報ファイル
Entrustment = PIA.Entrustment            # 委託 (one 委託事項)
Contractor = PIA.Contractor              # 委託先 / 再委託先 (an org:Organization)
Subcontract = PIA.Subcontract            # 再委託 (a link in the chain)
Provision = PIA.Provision                # 提供 (to another body)
Transfer = PIA.Transfer                  # 移転 (inside the body)
Recipient = PIA.Recipient                # 提供先 / 移転先
LegalBasis = PIA.LegalBasis              # 法令根拠 (one printed text)
LegalCitation = PIA.LegalCitation        # one provision cited by a LegalBasis
Law = PIA.Law                            # a law, keyed by its e-Gov 法令ID where known
SourceDocument = PIA.SourceDocument      # the text or PDF a record was read from
SourceSpan = PIA.SourceSpan              # where one fact came from (lines, page)
Abstention = PIA.Abstention              # a value the extractor declined to assert
ChangeRecord = PIA.ChangeRecord          # one 変更箇所 row

# --- object properties ---------------------------------------------------------------------
assessedBy = PIA.assessedBy                      # Assessment → AssessingBody
concernsBusiness = PIA.concernsBusiness          # Assessment → Business
responsibleDepartment = PIA.responsibleDepartment  # Business → Department
usesSystem = PIA.usesSystem                      # Business → System
hasFile = PIA.hasFile                            # Assessment → PersonalInfoFile
hasEntrustment = PIA.hasEntrustment              # PersonalInfoFile → Entrustment
contractor = PIA.contractor                      # Entrustment → Contractor
hasSubcontract = PIA.hasSubcontract              # Entrustment → Subcontract
subcontractor = PIA.subcontractor                # Subcontract → Contractor (when named)
hasProvision = PIA.hasProvision                  # PersonalInfoFile → Provision
hasTransfer = PIA.hasTransfer                    # PersonalInfoFile → Transfer
recipient = PIA.recipient                        # Provision/Transfer → Recipient
method = PIA.method                              # Provision/Transfer → skos:Concept (piav:method/...)
legalBasis = PIA.legalBasis                      # Provision/Transfer → LegalBasis
myNumberLegalBasis = PIA.myNumberLegalBasis      # Business → LegalBasis
infoNetworkLegalBasis = PIA.infoNetworkLegalBasis  # Business → LegalBasis
cites = PIA.cites                                # LegalBasis → LegalCitation
law = PIA.law                                    # LegalCitation → Law
assessmentKind = PIA.assessmentKind              # Assessment → concept (piav:kind/...)
formVersion = PIA.formVersion                    # Assessment → concept (piav:form-version/...)
infoNetworkLinkage = PIA.infoNetworkLinkage      # Business → concept (piav:linkage/...)
fileType = PIA.fileType                          # PersonalInfoFile → concept
subjectCount = PIA.subjectCount                  # PersonalInfoFile → concept (piav:subject-count/...)
recordItemCount = PIA.recordItemCount            # PersonalInfoFile → concept
handlerCount = PIA.handlerCount                  # Entrustment → concept (piav:handler-count/...)
entrustmentStatus = PIA.entrustmentStatus        # PersonalInfoFile → concept (委託する/しない)
subcontractStatus = PIA.subcontractStatus        # Entrustment → concept (再委託する/しない)
provisionStatus = PIA.provisionStatus            # PersonalInfoFile → concept (提供・移転の有無)
sourceDocument = PIA.sourceDocument              # Assessment → SourceDocument
describes = PIA.describes                        # SourceSpan/Abstention → the resource it is about
aboutProperty = PIA.aboutProperty                # SourceSpan/Abstention → the property concerned

# --- datatype properties -------------------------------------------------------------------
assessmentNumber = PIA.assessmentNumber
title = PIA.title
publishedDate = PIA.publishedDate                # xsd:date
name = PIA.name                                  # the name as printed (also rdfs:label)
content = PIA.content                            # 委託内容
entrustmentTitle = PIA.entrustmentTitle          # 委託事項 heading
subcontractItems = PIA.subcontractItems          # 再委託事項
purpose = PIA.purpose                            # 用途
information = PIA.information                    # 提供/移転する情報
timing = PIA.timing                              # 時期・頻度
methodOther = PIA.methodOther                    # その他（…）text
retentionStart = PIA.retentionStart              # 保有開始日 as printed
legalText = PIA.legalText                        # the legal-basis text as printed
article = PIA.article                            # 条 (e.g. "9", "24の2")
paragraph = PIA.paragraph                        # 項
itemNumber = PIA.itemNumber                      # 号
table = PIA.table                                # 別表 name as printed (別表 / 別表第一 / 別表第二)
tableItem = PIA.tableItem                        # 別表 item number
eGovLawId = PIA.eGovLawId                        # e-Gov 法令ID
recordPath = PIA.recordPath                      # JSON Pointer into the record
firstLine = PIA.firstLine
lastLine = PIA.lastLine
page = PIA.page                                  # PDF page (1-based) where known
reason = PIA.reason                              # why a value was abstained
candidate = PIA.candidate                        # a candidate value of an abstention
curated = PIA.curated                            # xsd:boolean: built from a hand-edited record
fileName = PIA.fileName                          # SourceDocument file name
sha256 = PIA.sha256                              # SourceDocument content hash

# --- concept schemes (piav:<scheme>/<concept>) ---------------------------------------------
METHOD_SCHEME = VOCAB["method"]                  # 提供方法 / 移転方法 / 入手方法
METHOD_CONCEPTS: dict[str, str] = {
    "情報提供ネットワークシステム": "info-network",
    "庁内連携システム": "intra-agency-link",
    "専用線": "leased-line",
    "電子メール": "email",
    "電子記録媒体（フラッシュメモリを除く。）": "electronic-media",
    "フラッシュメモリ": "flash-memory",
    "紙": "paper",
    "その他": "other",
}


def method_concept(label: str) -> URIRef:
    """The concept IRI of a printed 提供方法/移転方法 option (``KeyError`` if unknown)."""
    return VOCAB[f"method/{METHOD_CONCEPTS[label]}"]


# --- additions (rdf helper): terms beyond the first contract; nothing above was renamed -----
# classes
UnparsedLegalText = PIA.UnparsedLegalText        # a fragment of a legal-basis text that could not be read (an Abstention)
RiskMeasure = PIA.RiskMeasure                    # one Ⅲ リスク対策 answer of a file
# object properties
subcontractsTo = PIA.subcontractsTo              # Contractor → Contractor: processor → sub-processor (DPV has none)
subcontractedBy = PIA.subcontractedBy            # Subcontract → Contractor that sub-contracts (the 委託先)
concernsFile = PIA.concernsFile                  # Entrustment/Subcontract → PersonalInfoFile it is for
hasChange = PIA.hasChange                        # Assessment → ChangeRecord
hasRiskMeasure = PIA.hasRiskMeasure              # PersonalInfoFile → RiskMeasure
dataSource = PIA.dataSource                      # PersonalInfoFile → concept (piav:source/...) 入手元
acquisitionMethod = PIA.acquisitionMethod        # PersonalInfoFile → concept (piav:method/...) 入手方法
deliveryMethod = PIA.deliveryMethod              # Entrustment → concept (piav:method/...) 委託先への提供方法
userCount = PIA.userCount                        # PersonalInfoFile → concept (piav:handler-count/...) 使用者数
targetPopulation = PIA.targetPopulation          # Business → concept (piav:target-population/...) 対象人数
recordCategory = PIA.recordCategory              # PersonalInfoFile → concept (piav:record-category/...)
transferStatus = PIA.transferStatus              # PersonalInfoFile → concept (piav:provision-status/transferring)
submissionTiming = PIA.submissionTiming          # ChangeRecord → concept (piav:submission-timing/...)
# datatype properties
entrustmentCount = PIA.entrustmentCount          # xsd:integer, 委託 （N）件 as printed
provisionCount = PIA.provisionCount              # xsd:integer, 提供を行っている （N）件
transferCount = PIA.transferCount                # xsd:integer, 移転を行っている （N）件
sourceDetail = PIA.sourceDetail                  # 入手元 detail text (（ 日本年金機構 ）)
acquisitionMethodOther = PIA.acquisitionMethodOther  # 入手方法 その他（…）text
userDepartments = PIA.userDepartments            # 使用部署 as printed
usage = PIA.usage                                # 使用方法 as printed
storage = PIA.storage                            # 保管場所 as printed
recordItems = PIA.recordItems                    # 別添 記録項目 list as printed
disclosureContact = PIA.disclosureContact        # 開示・訂正・利用停止請求 ①請求先
inquiryContact = PIA.inquiryContact              # 問合せ ①連絡先
subjectScope = PIA.subjectScope                  # 対象となる本人の範囲
subcontractPermission = PIA.subcontractPermission  # 再委託の許諾方法
description = PIA.description                    # 事務の内容
changeDate = PIA.changeDate                      # xsd:date (or the printed text when not a date)
changedItem = PIA.changedItem                    # 項目
valueBefore = PIA.valueBefore                    # 変更前の記載
valueAfter = PIA.valueAfter                      # 変更後の記載
timingReason = PIA.timingReason                  # 提出時期に係る説明
changeText = PIA.changeText                      # a change row's text when its columns could not be told apart
riskKey = PIA.riskKey                            # dotted record key of a risk answer (use.user_auth)
answer = PIA.answer                              # the risk answer as printed
lowerBound = PIA.lowerBound                      # xsd:integer, inclusive lower bound of a bracket concept
upperBound = PIA.upperBound                      # xsd:integer, exclusive upper bound (absent: open)
