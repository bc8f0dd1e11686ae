"""Record → RDF: one named graph per assessment.

IRI rules (all under ``https://w3id.org/pia-graph/id/``, ``pia_graph.vocab.ID``):

- assessment: ``assessment/<org key>/<number>/<kind>`` when the record gives the organisation,
  the 評価書番号 and the kind (kind slug: basic / focused / full), so re-extracting the same
  document — or a later edition of it — yields the same IRI and replaces the graph. Without
  them: ``assessment/source/<source file name>``. Keys are NFKC, whitespace-free
  (``pia_graph.rdf.entities.fold``); non-ASCII characters stay as they are (except separators,
  controls, private use), unsafe ASCII is percent-encoded (``/`` → ``%2F``).
- parts of an assessment hang below its IRI, numbered from 1 as on the form:
  ``…/business``, ``…/file/1``, ``…/file/1/entrustment/2``, ``…/file/1/entrustment/2/subcontract/1``,
  ``…/file/1/provision/1``, ``…/file/1/transfer/1``, ``…/business/mynumber-legal-basis``,
  ``…/file/1/provision/1/legal-basis``, ``…/change/3``, ``…/span/<JSON pointer>``,
  ``…/abstention/<JSON pointer>``.
- shared resources (the same IRI from every assessment that names them):
  organisations ``org/<key>`` (assessing bodies, contractors, recipients, resolved by
  ``pia_graph.rdf.entities``), units ``org/<org key>/unit/<unit key>`` (departments, 支社),
  systems ``system/<body key>/<system key>``, laws ``law/<e-Gov 法令ID>`` (else ``law/<key>``)
  and their subdivisions ``law/<id>/article/9/paragraph/1/item/2`` or ``law/<id>/table/table-1/item/46``
  (these are the ``pia:LegalCitation`` nodes), source documents ``document/sha256-<hex>``.
"""

from __future__ import annotations

import datetime as _dt
import itertools
import re
import unicodedata
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import pyoxigraph as ox
from rdflib import RDF, RDFS, SKOS, XSD, Graph, Literal, URIRef
from rdflib.namespace import PROV

from pia_graph import vocab as V
from pia_graph.bounded_cache import remember
from pia_graph.model.record import check_record
from pia_graph.rdf.concepts import SCHEMES, form_version_concept, lookup
from pia_graph.rdf.entities import department_key, fold, resolve_entity
from pia_graph.rdf.legal import Citation, Law, iri_segment, parse_legal_basis
from pia_graph.vocab import ID, ORG

_KIND_SLUGS = {"基礎項目評価書": "basic", "重点項目評価書": "focused", "全項目評価書": "full"}
_DASHES = re.compile(r"^[\s\-－―‐ー—]*$")
# namespace attributes resolved once: rdflib builds a new term on every attribute lookup,
# and the mapping makes ~1,500 triples per assessment
_RDF_TYPE = RDF.type
_LABEL = RDFS.label
_ALT_LABEL = SKOS.altLabel
_DERIVED_FROM = PROV.wasDerivedFrom
_PROV_ENTITY = PROV.Entity
_INTEGER = XSD.integer
_DATE = XSD.date
_ORGANIZATION = ORG.Organization
_UNIT = ORG.OrganizationalUnit
_HAS_UNIT = ORG.hasUnit
_UNIT_OF = ORG.unitOf
_ELI_SUBDIVISION = V.ELI.LegalResourceSubdivision
_ELI_RESOURCE = V.ELI.LegalResource
_ELI_PART_OF = V.ELI.is_part_of


# Literals recur across assessments (record paths, line numbers, shared names): each distinct
# one is made once per worker, with its N-Triples text; cleared when large to stay bounded (both
# tables at once, not through bounded_cache.remember: the ids in _LITERAL_TEXT are those of _LITERALS' terms).
_LITERALS: dict[tuple[Any, ...], Literal] = {}
_LITERAL_TEXT: dict[int, str] = {}   # id of a term held in _LITERALS → its N-Triples text
_LITERAL_LIMIT = 200_000


def _literal(value: Any, lang: str | None = None, datatype: URIRef | None = None) -> Literal:
    key = (type(value), value, lang, datatype)
    term = _LITERALS.get(key)
    if term is None:
        if len(_LITERALS) >= _LITERAL_LIMIT:
            _LITERALS.clear()
            _LITERAL_TEXT.clear()
        term = _LITERALS[key] = Literal(value, lang=lang, datatype=datatype)
        _LITERAL_TEXT[id(term)] = literal_text(term)
    return term


@lru_cache(maxsize=65_536)  # record paths recur in every assessment
def _pointer(*parts: str | int) -> str:
    return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _pointer_path(pointer: str) -> str:
    """A JSON Pointer as an IRI path (each segment made IRI-safe)."""
    return "/".join(iri_segment(part) or "_" for part in pointer.split("/"))


def assessment_iri(record: Mapping[str, Any]) -> URIRef:
    """The assessment IRI (see the module docstring for the rule)."""
    assessment = record.get("assessment") or {}
    organization, number, kind = (assessment.get(k) for k in ("organization", "number", "kind"))
    if organization and number and kind:
        kind_slug = _KIND_SLUGS.get(fold(kind), iri_segment(kind))
        org_key = resolve_entity(organization).key
        return ID[f"assessment/{iri_segment(org_key)}/{iri_segment(number)}/{kind_slug}"]
    return ID[f"assessment/source/{iri_segment(str(record.get('source', 'unknown')))}"]


class _Builder:
    def __init__(self, record: Mapping[str, Any], root: URIRef) -> None:
        self.record = record
        # (s, p, o) in the order they were made, duplicates included: an rdflib Graph is built
        # from them only when asked for (record_to_graph); ingest serialises them directly
        self.triples: list[tuple[URIRef, URIRef, Any]] = []
        self.root = root
        # JSON Pointer → (resource, property) the value became; objects map to (resource, None)
        self.facts: dict[str, tuple[URIRef, URIRef | None]] = {}
        organization = (record.get("assessment") or {}).get("organization")
        self.body_name: str | None = organization
        self.body: URIRef | None = None

    # -- helpers -------------------------------------------------------------------------
    def add(self, s: URIRef, p: URIRef, o: Any) -> None:
        self.triples.append((s, p, o))

    def register(self, pointer: str, resource: URIRef, prop: URIRef | None = None) -> None:
        self.facts.setdefault(pointer, (resource, prop))

    def text(self, subject: URIRef, prop: URIRef, value: Any, pointer: str) -> None:
        if isinstance(value, str) and value.strip():
            self.add(subject, prop, _literal(value))
            self.register(pointer, subject, prop)

    def concept(self, subject: URIRef, prop: URIRef, scheme: str, value: Any, pointer: str) -> None:
        """The concept of a printed option; an off-list value is kept as a literal so validation
        reports it (it is never silently dropped or coerced)."""
        if not isinstance(value, str) or not value.strip():
            return
        iri = lookup(scheme, value)
        self.add(subject, prop, iri if iri is not None else _literal(value))
        self.register(pointer, subject, prop)

    def concepts(self, subject: URIRef, prop: URIRef, scheme: str, values: Any, pointer: str) -> None:
        if not isinstance(values, list):
            return
        for index, value in enumerate(values):
            self.concept(subject, prop, scheme, value, f"{pointer}/{index}")
        if values:
            self.register(pointer, subject, prop)

    def integer(self, subject: URIRef, prop: URIRef, value: Any, pointer: str) -> None:
        if isinstance(value, bool) or value is None:
            return
        if isinstance(value, str):
            digits = unicodedata.normalize("NFKC", value).strip()
            if not digits.isdigit():
                return
            value = int(digits)
        if isinstance(value, int):
            self.add(subject, prop, _literal(value, datatype=_INTEGER))
            self.register(pointer, subject, prop)

    def labels(self, resource: URIRef, printed: str) -> None:
        self.add(resource, V.name, _literal(printed))
        self.add(resource, _ALT_LABEL, _literal(printed, lang="ja"))

    # -- organisations -------------------------------------------------------------------
    def organisation(self, name: str, *types: URIRef) -> URIRef:
        resolution = resolve_entity(name)
        if resolution.parent_key is not None:
            parent = ID[f"org/{iri_segment(resolution.parent_key)}"]
            self.add(parent, _RDF_TYPE, _ORGANIZATION)
            self.add(parent, _LABEL, _literal(resolution.parent_name or resolution.parent_key, lang="ja"))
            self.add(parent, _ALT_LABEL, _literal(resolution.parent_name or resolution.parent_key, lang="ja"))
            unit_key = resolution.key.split("/", 1)[1]
            resource = URIRef(f"{parent}/unit/{iri_segment(unit_key)}")
            self.add(resource, _RDF_TYPE, _UNIT)
            self.add(resource, _UNIT_OF, parent)
            self.add(parent, _HAS_UNIT, resource)
        else:
            resource = ID[f"org/{iri_segment(resolution.key)}"]
            self.add(resource, _RDF_TYPE, _ORGANIZATION)
        for rdf_type in types:
            self.add(resource, _RDF_TYPE, rdf_type)
        self.add(resource, _LABEL, _literal(resolution.canonical, lang="ja"))
        if resolution.name_en:
            self.add(resource, _LABEL, _literal(resolution.name_en, lang="en"))
        self.labels(resource, name)
        return resource

    def unit_of_body(self, name: str, *types: URIRef) -> URIRef:
        """A department (or internal 移転先) of the assessing body."""
        if self.body is None:
            # no assessing body named: the unit stands alone, still typed as a department
            return self.organisation(name, V.Department, _UNIT, *types)
        key = department_key(name, self.body_name)
        resource = URIRef(f"{self.body}/unit/{iri_segment(key)}")
        self.add(resource, _RDF_TYPE, _UNIT)
        self.add(resource, _RDF_TYPE, V.Department)
        for rdf_type in types:
            self.add(resource, _RDF_TYPE, rdf_type)
        self.add(resource, _UNIT_OF, self.body)
        self.add(self.body, _HAS_UNIT, resource)
        self.add(resource, _LABEL, _literal(name, lang="ja"))
        self.labels(resource, name)
        return resource

    # -- legal bases ---------------------------------------------------------------------
    def legal_basis(self, owner: URIRef, prop: URIRef, text: Any, pointer: str, iri: URIRef) -> list[str]:
        if not isinstance(text, str) or not text.strip():
            return []
        if _DASHES.match(text):
            # ― / － printed for "none": kept as printed on the owner, no legal-basis resource
            self.add(owner, V.legalText, _literal(text))
            self.register(pointer, owner, V.legalText)
            return []
        parsed = parse_legal_basis(text)
        self.add(owner, prop, iri)
        self.add(iri, _RDF_TYPE, V.LegalBasis)
        self.add(iri, V.legalText, _literal(text))
        self.add(iri, _LABEL, _literal(text, lang="ja"))
        self.register(pointer, owner, prop)
        for citation in parsed.citations:
            self.add(iri, V.cites, self.citation(citation))
        for index, fragment in enumerate(parsed.unparsed, start=1):
            node = URIRef(f"{iri}/unparsed/{index}")
            self.add(node, _RDF_TYPE, V.UnparsedLegalText)
            self.add(node, _RDF_TYPE, V.Abstention)
            self.add(node, V.legalText, _literal(fragment))
            self.add(node, V.reason, _literal("legal-basis text not recognised as a citation of a law"))
            self.add(node, V.describes, iri)
            self.add(node, V.aboutProperty, V.cites)
            self.add(node, V.recordPath, _literal(pointer))
        return parsed.unparsed

    def law(self, law: Law, printed: str) -> URIRef:
        iri = law.iri
        self.add(iri, _RDF_TYPE, V.Law)
        self.add(iri, _RDF_TYPE, _ELI_RESOURCE)
        self.add(iri, _LABEL, _literal(law.name, lang="ja"))
        if law.name_en:
            self.add(iri, _LABEL, _literal(law.name_en, lang="en"))
        self.add(iri, V.name, _literal(law.name))
        if law.egov_id:
            self.add(iri, V.eGovLawId, _literal(law.egov_id))
            # the law's page on e-Gov 法令検索 (article anchors are not minted: their form for
            # branch articles such as 第24条の2 is not confirmed)
            self.add(iri, RDFS.seeAlso, URIRef(f"https://laws.e-gov.go.jp/law/{law.egov_id}"))
        if fold(printed) != fold(law.name):
            self.add(iri, _ALT_LABEL, _literal(printed, lang="ja"))
        return iri

    def citation(self, citation: Citation) -> URIRef:
        law_iri = self.law(citation.law, citation.printed_law)
        iri = citation.iri
        if iri == law_iri:
            # a law cited as a whole: the citation node is the law itself
            self.add(iri, _RDF_TYPE, V.LegalCitation)
            self.add(iri, V.law, law_iri)
            return iri
        self.add(iri, _RDF_TYPE, V.LegalCitation)
        self.add(iri, _RDF_TYPE, _ELI_SUBDIVISION)
        self.add(iri, V.law, law_iri)
        self.add(iri, _LABEL, _literal(citation.label(), lang="ja"))
        for prop, value in ((V.article, citation.article), (V.paragraph, citation.paragraph),
                            (V.itemNumber, citation.item), (V.table, citation.table),
                            (V.tableItem, citation.table_item)):
            if value is not None:
                self.add(iri, prop, _literal(value))
        chain = citation.parent_iris()
        self.add(iri, _ELI_PART_OF, chain[0])
        for child, parent in itertools.pairwise(chain):
            self.add(child, _RDF_TYPE, _ELI_SUBDIVISION)
            self.add(child, _ELI_PART_OF, parent)
        return iri

    # -- the record ----------------------------------------------------------------------
    def build(self, curated: bool, source_sha256: str | None) -> None:
        record, root, add = self.record, self.root, self.add
        info = record.get("assessment") or {}
        add(root, _RDF_TYPE, V.Assessment)
        add(root, V.curated, _literal(bool(curated)))
        self.register("/assessment", root)
        self.register("", root)
        self.text(root, V.assessmentNumber, info.get("number"), "/assessment/number")
        if isinstance(info.get("title"), str) and info["title"].strip():
            self.text(root, V.title, info["title"], "/assessment/title")
            add(root, _LABEL, _literal(info["title"], lang="ja"))
        self.concept(root, V.assessmentKind, "kind", info.get("kind"), "/assessment/kind")
        version = info.get("form_version")
        if isinstance(version, str) and version.strip():
            known = form_version_concept(version)
            if known is None:
                add(root, V.formVersion, _literal(version))
            else:
                concept, canonical = known
                add(root, V.formVersion, concept)
                if concept not in {SCHEMES["form-version"].concept_iri(c) for c in SCHEMES["form-version"].concepts}:
                    add(concept, _RDF_TYPE, SKOS.Concept)
                    add(concept, SKOS.inScheme, SCHEMES["form-version"].iri)
                    add(concept, SKOS.prefLabel, _literal(canonical, lang="ja"))
            self.register("/assessment/form_version", root, V.formVersion)
        published = info.get("published")
        if isinstance(published, str) and published:
            try:
                add(root, V.publishedDate, _literal(_dt.date.fromisoformat(published), datatype=_DATE))
            except ValueError:
                add(root, V.publishedDate, _literal(published))
            self.register("/assessment/published", root, V.publishedDate)
        if isinstance(self.body_name, str) and self.body_name.strip():
            self.body = self.organisation(self.body_name, V.AssessingBody)
            add(root, V.assessedBy, self.body)
            self.register("/assessment/organization", root, V.assessedBy)
        for section, key, prop in (("disclosure", "contact", V.disclosureContact),
                                   ("inquiry", "contact", V.inquiryContact)):
            values = record.get(section)
            if isinstance(values, Mapping):
                self.text(root, prop, values.get(key), f"/{section}/{key}")
        self.source_document(curated, source_sha256)
        business = URIRef(f"{root}/business")
        self.business(business)
        for index, file in enumerate(record.get("files") or []):
            self.file(business, index, file)
        for index, change in enumerate(record.get("changes") or []):
            if isinstance(change, Mapping):
                self.change(index, change)
        self.provenance()
        self.abstentions()

    def source_document(self, curated: bool, source_sha256: str | None) -> None:
        source = self.record.get("source")
        document = ID[f"document/sha256-{source_sha256}"] if source_sha256 else URIRef(f"{self.root}/document")
        self.document = document
        self.add(document, _RDF_TYPE, V.SourceDocument)
        self.add(document, _RDF_TYPE, _PROV_ENTITY)
        if isinstance(source, str):
            self.add(document, V.fileName, _literal(source))
            self.add(document, _LABEL, _literal(source))
            self.register("/source", document, V.fileName)
        if source_sha256:
            self.add(document, V.sha256, _literal(source_sha256))
        self.add(self.root, V.sourceDocument, document)
        self.add(self.root, _DERIVED_FROM, document)

    def business(self, business: URIRef) -> None:
        record, add = self.record, self.add
        add(self.root, V.concernsBusiness, business)
        add(business, _RDF_TYPE, V.Business)
        name = record.get("business_name")
        if isinstance(name, str) and name.strip():
            self.text(business, V.name, name, "/business_name")
            add(business, _LABEL, _literal(name, lang="ja"))
        self.text(business, V.description, record.get("business_description"), "/business_description")
        self.concept(business, V.targetPopulation, "target-population", record.get("target_population"),
                     "/target_population")
        department = record.get("department")
        if isinstance(department, str) and department.strip():
            add(business, V.responsibleDepartment, self.unit_of_body(department))
            self.register("/department", business, V.responsibleDepartment)
        for index, system in enumerate(record.get("systems") or []):
            if isinstance(system, str) and system.strip():
                resource = self.system(system)
                add(business, V.usesSystem, resource)
                self.register(f"/systems/{index}", resource, V.name)
        for index, detail in enumerate(record.get("systems_detail") or []):
            # the per-system blocks (Ⅰ2) name the same systems: their spans describe them too
            if isinstance(detail, Mapping) and isinstance(detail.get("name"), str) and detail["name"].strip():
                resource = self.system(detail["name"])
                add(business, V.usesSystem, resource)
                self.register(f"/systems_detail/{index}", resource)
                self.register(f"/systems_detail/{index}/name", resource, V.name)
        self.legal_basis(business, V.myNumberLegalBasis, record.get("mynumber_legal_basis"),
                         "/mynumber_legal_basis", URIRef(f"{business}/mynumber-legal-basis"))
        self.concept(business, V.infoNetworkLinkage, "linkage", record.get("info_network_linkage"),
                     "/info_network_linkage")
        self.legal_basis(business, V.infoNetworkLegalBasis, record.get("info_network_legal_basis"),
                         "/info_network_legal_basis", URIRef(f"{business}/info-network-legal-basis"))

    def system(self, name: str) -> URIRef:
        body_key = resolve_entity(self.body_name).key if self.body_name else "_"
        resolution = resolve_entity(name)
        resource = ID[f"system/{iri_segment(body_key)}/{iri_segment(resolution.key)}"]
        self.add(resource, _RDF_TYPE, V.System)
        self.add(resource, _LABEL, _literal(name, lang="ja"))
        self.labels(resource, name)
        return resource

    def file(self, business: URIRef, index: int, file: Mapping[str, Any]) -> None:
        add, base = self.add, ("files", index)
        resource = URIRef(f"{self.root}/file/{index + 1}")
        add(self.root, V.hasFile, resource)
        add(resource, _RDF_TYPE, V.PersonalInfoFile)
        self.register(_pointer(*base), resource)
        name = file.get("name")
        if isinstance(name, str) and name.strip():
            self.text(resource, V.name, name, _pointer(*base, "name"))
            add(resource, _LABEL, _literal(name, lang="ja"))
        self.concept(resource, V.fileType, "file-type", file.get("file_type"), _pointer(*base, "file_type"))
        self.concept(resource, V.subjectCount, "subject-count", file.get("subject_count"),
                     _pointer(*base, "subject_count"))
        self.concept(resource, V.recordItemCount, "record-item-count", file.get("record_item_count"),
                     _pointer(*base, "record_item_count"))
        self.text(resource, V.retentionStart, file.get("retention_start"), _pointer(*base, "retention_start"))
        self.concept(resource, V.entrustmentStatus, "entrustment-status", file.get("entrustment"),
                     _pointer(*base, "entrustment"))
        self.integer(resource, V.entrustmentCount, file.get("entrustment_count"), _pointer(*base, "entrustment_count"))
        self.concept(resource, V.provisionStatus, "provision-status", file.get("provision"),
                     _pointer(*base, "provision"))
        self.concept(resource, V.transferStatus, "provision-status", file.get("transfer"),
                     _pointer(*base, "transfer"))
        self.integer(resource, V.provisionCount, file.get("provision_count"), _pointer(*base, "provision_count"))
        self.integer(resource, V.transferCount, file.get("transfer_count"), _pointer(*base, "transfer_count"))
        # further fields of the form, where the record carries them
        self.concepts(resource, V.dataSource, "source", file.get("sources"), _pointer(*base, "sources"))
        details = file.get("sources_detail")
        if isinstance(details, Mapping):
            for label, detail in details.items():
                if isinstance(detail, str) and detail.strip():
                    add(resource, V.sourceDetail, _literal(f"{label}: {detail}"))
            self.register(_pointer(*base, "sources_detail"), resource, V.sourceDetail)
        self.concepts(resource, V.acquisitionMethod, "method", file.get("acquisition_methods"),
                      _pointer(*base, "acquisition_methods"))
        self.text(resource, V.acquisitionMethodOther, file.get("acquisition_methods_other"),
                  _pointer(*base, "acquisition_methods_other"))
        self.concepts(resource, V.recordCategory, "record-category", file.get("record_categories"),
                      _pointer(*base, "record_categories"))
        self.text(resource, V.purpose, file.get("purpose"), _pointer(*base, "purpose"))
        self.text(resource, V.userDepartments, file.get("user_departments"), _pointer(*base, "user_departments"))
        self.text(resource, V.usage, file.get("usage"), _pointer(*base, "usage"))
        self.text(resource, V.storage, file.get("storage"), _pointer(*base, "storage"))
        self.text(resource, V.recordItems, file.get("record_items_appendix"), _pointer(*base, "record_items_appendix"))
        self.concept(resource, V.userCount, "handler-count", file.get("user_count"), _pointer(*base, "user_count"))
        self.text(resource, V.subjectScope, file.get("subject_scope"), _pointer(*base, "subject_scope"))
        risk = file.get("risk")
        if isinstance(risk, Mapping):
            self.risk(resource, risk, _pointer(*base, "risk"), ())
        for sub_index, entrustment in enumerate(file.get("entrustments") or []):
            self.entrustment(resource, base, sub_index, entrustment)
        for group, cls, prop in (("provisions", V.Provision, V.hasProvision),
                                 ("transfers", V.Transfer, V.hasTransfer)):
            for sub_index, flow in enumerate(file.get(group) or []):
                self.flow(resource, base, group, sub_index, flow, cls, prop)

    def risk(self, file: URIRef, answers: Mapping[str, Any], pointer: str, path: tuple[str, ...]) -> None:
        for key, value in answers.items():
            if not path and key == "file_name":
                continue   # the Ⅲ block's join key to the file, not an answer
            here = (*path, str(key))
            child_pointer = f"{pointer}/{str(key).replace('~', '~0').replace('/', '~1')}"
            if isinstance(value, Mapping):
                self.risk(file, value, child_pointer, here)
            elif (isinstance(value, str) and value.strip()) or isinstance(value, bool | int):
                node = URIRef(f"{file}/risk/{iri_segment('.'.join(here))}")
                self.add(file, V.hasRiskMeasure, node)
                self.add(node, _RDF_TYPE, V.RiskMeasure)
                self.add(node, V.riskKey, _literal(".".join(here)))
                self.add(node, V.answer, _literal(value))
                self.register(child_pointer, node, V.answer)

    def entrustment(self, file: URIRef, base: tuple[str | int, ...], index: int,
                    entry: Mapping[str, Any]) -> None:
        add = self.add
        here = (*base, "entrustments", index)
        resource = URIRef(f"{file}/entrustment/{index + 1}")
        add(file, V.hasEntrustment, resource)
        add(resource, _RDF_TYPE, V.Entrustment)
        add(resource, V.concernsFile, file)
        self.register(_pointer(*here), resource)
        self.text(resource, V.entrustmentTitle, entry.get("title"), _pointer(*here, "title"))
        if isinstance(entry.get("title"), str) and entry["title"].strip():
            add(resource, _LABEL, _literal(entry["title"], lang="ja"))
        self.text(resource, V.content, entry.get("content"), _pointer(*here, "content"))
        contractor = None
        if isinstance(entry.get("contractor"), str) and entry["contractor"].strip():
            contractor = self.organisation(entry["contractor"], V.Contractor)
            add(resource, V.contractor, contractor)
            self.register(_pointer(*here, "contractor"), resource, V.contractor)
        self.concept(resource, V.handlerCount, "handler-count", entry.get("handlers"), _pointer(*here, "handlers"))
        self.concept(resource, V.subcontractStatus, "subcontract-status", entry.get("subcontract"),
                     _pointer(*here, "subcontract"))
        self.text(resource, V.subcontractItems, entry.get("subcontract_items"), _pointer(*here, "subcontract_items"))
        self.text(resource, V.subcontractPermission, entry.get("subcontract_permission"),
                  _pointer(*here, "subcontract_permission"))
        self.concepts(resource, V.deliveryMethod, "method", entry.get("delivery_methods"),
                      _pointer(*here, "delivery_methods"))
        subcontracted = lookup("subcontract-status", entry.get("subcontract") or "") == \
            SCHEMES["subcontract-status"].concept_iri(SCHEMES["subcontract-status"].concepts[0])
        names = [n for n in (entry.get("subcontractors") or []) if isinstance(n, str) and n.strip()]
        if subcontracted or names:
            # one Subcontract link per named sub-contractor, or one unnamed link
            for link_index, sub_name in enumerate(names or [None]):
                link = URIRef(f"{resource}/subcontract/{link_index + 1}")
                add(resource, V.hasSubcontract, link)
                add(link, _RDF_TYPE, V.Subcontract)
                add(link, V.concernsFile, file)
                if contractor is not None:
                    add(link, V.subcontractedBy, contractor)
                if isinstance(entry.get("subcontract_items"), str) and entry["subcontract_items"].strip():
                    add(link, V.subcontractItems, _literal(entry["subcontract_items"]))
                if sub_name is not None:
                    sub = self.organisation(sub_name, V.Contractor)
                    add(link, V.subcontractor, sub)
                    if contractor is not None:
                        add(contractor, V.subcontractsTo, sub)
                    self.register(_pointer(*here, "subcontractors", link_index), link, V.subcontractor)

    def flow(self, file: URIRef, base: tuple[str | int, ...], group: str, index: int,
             entry: Mapping[str, Any], cls: URIRef, prop: URIRef) -> None:
        add = self.add
        here = (*base, group, index)
        kind = "provision" if group == "provisions" else "transfer"
        resource = URIRef(f"{file}/{kind}/{index + 1}")
        add(file, prop, resource)
        add(resource, _RDF_TYPE, cls)
        self.register(_pointer(*here), resource)
        recipient = entry.get("recipient")
        if isinstance(recipient, str) and recipient.strip():
            target = (self.organisation(recipient, V.Recipient) if kind == "provision"
                      else self.unit_of_body(recipient, V.Recipient))
            add(resource, V.recipient, target)
            add(resource, _LABEL, _literal(recipient, lang="ja"))
            self.register(_pointer(*here, "recipient"), resource, V.recipient)
        self.legal_basis(resource, V.legalBasis, entry.get("legal_basis"), _pointer(*here, "legal_basis"),
                         URIRef(f"{resource}/legal-basis"))
        self.text(resource, V.purpose, entry.get("purpose"), _pointer(*here, "purpose"))
        self.text(resource, V.information, entry.get("information"), _pointer(*here, "information"))
        self.concepts(resource, V.method, "method", entry.get("methods"), _pointer(*here, "methods"))
        self.text(resource, V.methodOther, entry.get("methods_other"), _pointer(*here, "methods_other"))
        self.text(resource, V.timing, entry.get("timing"), _pointer(*here, "timing"))
        self.concept(resource, V.subjectCount, "subject-count", entry.get("subject_count"),
                     _pointer(*here, "subject_count"))
        self.text(resource, V.subjectScope, entry.get("subject_scope"), _pointer(*here, "subject_scope"))

    def change(self, index: int, change: Mapping[str, Any]) -> None:
        resource = URIRef(f"{self.root}/change/{index + 1}")
        here = ("changes", index)
        self.add(self.root, V.hasChange, resource)
        self.add(resource, _RDF_TYPE, V.ChangeRecord)
        self.register(_pointer(*here), resource)
        date = change.get("date")
        if isinstance(date, str) and date.strip():
            try:
                self.add(resource, V.changeDate, _literal(_dt.date.fromisoformat(date), datatype=_DATE))
            except ValueError:
                self.add(resource, V.changeDate, _literal(date))
            self.register(_pointer(*here, "date"), resource, V.changeDate)
        self.text(resource, V.changedItem, change.get("item"), _pointer(*here, "item"))
        self.text(resource, V.valueBefore, change.get("before"), _pointer(*here, "before"))
        self.text(resource, V.valueAfter, change.get("after"), _pointer(*here, "after"))
        self.concept(resource, V.submissionTiming, "submission-timing", change.get("timing"),
                     _pointer(*here, "timing"))
        self.text(resource, V.timingReason, change.get("timing_reason"), _pointer(*here, "timing_reason"))
        self.text(resource, V.changeText, change.get("text"), _pointer(*here, "text"))

    # -- provenance and abstentions ------------------------------------------------------
    def locate(self, pointer: str) -> tuple[URIRef, URIRef | None]:
        """The resource/property a pointer became; list elements and unmapped keys fall back to
        the nearest mapped ancestor (the property then only if the ancestor was a value)."""
        if pointer in self.facts:
            return self.facts[pointer]
        parts = pointer.split("/")
        while len(parts) > 1:
            parts.pop()
            parent = "/".join(parts)
            if parent in self.facts:
                resource, prop = self.facts[parent]
                return resource, prop
        return self.root, None

    def provenance(self) -> None:
        provenance = self.record.get("provenance") or {}
        for pointer, entry in provenance.items():
            if not isinstance(entry, Mapping):
                continue
            lines = entry.get("lines") or []
            span = URIRef(f"{self.root}/span{_pointer_path(pointer)}")
            # a curated record may locate a value it leaves null: name its property all the same
            resource, prop = self.locate_abstained(pointer)
            # its prov:Entity type follows from pia:SourceSpan ⊑ prov:Entity (ontology), not repeated
            self.add(span, _RDF_TYPE, V.SourceSpan)
            self.add(span, V.recordPath, _literal(pointer))
            if len(lines) == 2:
                self.add(span, V.firstLine, _literal(int(lines[0]), datatype=_INTEGER))
                self.add(span, V.lastLine, _literal(int(lines[1]), datatype=_INTEGER))
            if isinstance(entry.get("page"), int):
                self.add(span, V.page, _literal(entry["page"], datatype=_INTEGER))
            self.add(span, V.describes, resource)
            if prop is not None:
                self.add(span, V.aboutProperty, prop)
            self.add(span, _DERIVED_FROM, self.document)

    def abstentions(self) -> None:
        used: set[URIRef] = set()
        for entry in self.record.get("uncertain") or []:
            if not isinstance(entry, Mapping) or not isinstance(entry.get("path"), str):
                continue
            pointer = entry["path"]
            node = URIRef(f"{self.root}/abstention{_pointer_path(pointer)}")
            suffix = 2
            while node in used:
                node = URIRef(f"{self.root}/abstention{_pointer_path(pointer)}/{suffix}")
                suffix += 1
            used.add(node)
            resource, prop = self.locate_abstained(pointer)
            self.add(node, _RDF_TYPE, V.Abstention)
            self.add(node, V.recordPath, _literal(pointer))
            self.add(node, V.reason, _literal(str(entry.get("reason", ""))))
            for candidate in entry.get("candidates") or []:
                self.add(node, V.candidate, _literal(candidate if isinstance(candidate, str) else str(candidate)))
            self.add(node, V.describes, resource)
            if prop is not None:
                self.add(node, V.aboutProperty, prop)
            self.add(node, _DERIVED_FROM, self.document)
            lines = entry.get("lines")
            # optional: where the ambiguous text is (not in the schema's minimum, used when given)
            if (isinstance(lines, list) and len(lines) == 2
                    and all(isinstance(n, int) and not isinstance(n, bool) for n in lines)):
                self.add(node, V.firstLine, _literal(lines[0], datatype=_INTEGER))
                self.add(node, V.lastLine, _literal(lines[1], datatype=_INTEGER))
                if isinstance(entry.get("page"), int):
                    self.add(node, V.page, _literal(entry["page"], datatype=_INTEGER))

    def locate_abstained(self, pointer: str) -> tuple[URIRef, URIRef | None]:
        """An abstained value has no triple, so the property comes from the field name."""
        if pointer in self.facts:
            return self.facts[pointer]
        parts = pointer.split("/")
        field = parts[-1]
        parent = "/".join(parts[:-1])
        resource = self.facts.get(parent, (None, None))[0]
        if parent == "" and field in _BUSINESS_FIELDS:
            resource = URIRef(f"{self.root}/business")
        prop = _FIELD_PROPERTIES.get(field)
        if resource is None:
            return self.locate(pointer)
        return resource, prop


_BUSINESS_FIELDS = frozenset({"business_name", "business_description", "systems", "mynumber_legal_basis",
                              "info_network_linkage", "info_network_legal_basis", "department",
                              "target_population"})

# record field name → property, for abstentions (the value is absent, so there is no triple)
_FIELD_PROPERTIES: dict[str, URIRef] = {
    "number": V.assessmentNumber, "title": V.title, "kind": V.assessmentKind,
    "form_version": V.formVersion, "organization": V.assessedBy, "published": V.publishedDate,
    "business_name": V.name, "department": V.responsibleDepartment,
    "mynumber_legal_basis": V.myNumberLegalBasis, "info_network_linkage": V.infoNetworkLinkage,
    "info_network_legal_basis": V.infoNetworkLegalBasis, "name": V.name, "file_type": V.fileType,
    "subject_count": V.subjectCount, "record_item_count": V.recordItemCount,
    "retention_start": V.retentionStart, "entrustment": V.entrustmentStatus,
    "provision": V.provisionStatus, "transfer": V.transferStatus, "content": V.content,
    "contractor": V.contractor, "handlers": V.handlerCount, "subcontract": V.subcontractStatus,
    "subcontract_items": V.subcontractItems, "recipient": V.recipient, "legal_basis": V.legalBasis,
    "purpose": V.purpose, "information": V.information, "methods": V.method,
    "methods_other": V.methodOther, "timing": V.timing, "entrustment_count": V.entrustmentCount,
    "provision_count": V.provisionCount, "transfer_count": V.transferCount,
    "sources": V.dataSource, "acquisition_methods": V.acquisitionMethod, "user_count": V.userCount,
    "record_categories": V.recordCategory, "delivery_methods": V.deliveryMethod,
    "target_population": V.targetPopulation,
}


def _build(record: Mapping[str, Any], curated: bool,
           source_sha256: str | None) -> tuple[URIRef, list[tuple[URIRef, URIRef, Any]]]:
    checked = check_record(record, str(record.get("source", "<record>")) if isinstance(record, Mapping)
                           else "<record>")
    root = assessment_iri(checked)
    builder = _Builder(checked, root)
    builder.build(curated, source_sha256)
    return root, builder.triples


def record_to_graph(record: Mapping[str, Any], *, curated: bool = False,
                    source_sha256: str | None = None) -> tuple[URIRef, Graph]:
    """Map a record to ``(assessment IRI, graph of that assessment)``.

    The record is checked first (``InputError`` if malformed). Abstained values stay absent;
    each ``uncertain`` entry becomes a ``pia:Abstention``; each ``provenance`` pointer a
    ``pia:SourceSpan``. ``curated`` marks a graph built from a hand-edited record.
    """
    root, triples = _build(record, curated, source_sha256)
    graph = Graph(identifier=root)
    for prefix, namespace in V.PREFIXES.items():
        graph.bind(prefix, namespace)
    for triple in triples:
        graph.add(triple)
    return root, graph


# IRI → its N-Triples text, validated once by pyoxigraph (predicates, classes, concepts and
# shared resources recur in every assessment); cleared when large so a worker stays bounded.
_IRI_TEXT: dict[str, str] = {}
_IRI_TEXT_LIMIT = 100_000


def _iri_text(iri: str) -> str:
    text = _IRI_TEXT.get(iri)
    if text is None:
        text = remember(_IRI_TEXT, _IRI_TEXT_LIMIT, iri, str(ox.NamedNode(iri)))
    return text


def _term_text(term: Any) -> str:
    """A term in N-Triples, as pyoxigraph writes it (the same conversion as the store's)."""
    if type(term) is URIRef:
        return _iri_text(term)
    if isinstance(term, Literal):
        text = _LITERAL_TEXT.get(id(term))
        return literal_text(term) if text is None else text
    if isinstance(term, URIRef):
        return _iri_text(term)
    raise TypeError(f"not an RDF term the mapping makes: {term!r}")


def literal_text(term: Literal) -> str:
    """A literal in N-Triples (valid SPARQL too), escaped by pyoxigraph's serialiser."""
    if term.language:
        return str(ox.Literal(str(term), language=term.language))
    if term.datatype is not None:
        return str(ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype))))
    return str(ox.Literal(str(term)))


def record_to_triples(record: Mapping[str, Any], *, curated: bool = False,
                      source_sha256: str | None = None) -> tuple[URIRef, list[tuple[URIRef, URIRef, Any]]]:
    """``record_to_graph``'s triples as a list, in the order they were made (duplicates included)."""
    return _build(record, curated, source_sha256)


def triples_to_ntriples(triples: list[tuple[URIRef, URIRef, Any]]) -> str:
    """N-Triples text of mapping triples (each once), as pyoxigraph writes the terms."""
    lines: dict[str, None] = {}
    # the two caches read inline: this loop runs ~1,500 times per assessment
    iri_texts, literal_texts = _IRI_TEXT, _LITERAL_TEXT
    for s, p, o in triples:
        subject = iri_texts.get(s) or _term_text(s)
        predicate = iri_texts.get(p) or _term_text(p)
        obj = (literal_texts.get(id(o)) if type(o) is Literal else iri_texts.get(o)) or _term_text(o)
        lines[f"{subject} {predicate} {obj} .\n"] = None
    return "".join(lines)


def record_to_ntriples(record: Mapping[str, Any], *, curated: bool = False,
                       source_sha256: str | None = None) -> tuple[URIRef, str]:
    """``record_to_graph`` without the rdflib Graph: ``(assessment IRI, N-Triples text)``.

    The same triples (each once), written directly; parsing the text gives a graph isomorphic
    to ``record_to_graph``'s (tests/store/test_ingest_perf_invariants.py). The ingest workers
    run its two steps themselves (``record_to_triples``, then ``triples_to_ntriples``), as the
    flow-index rows are read from the same triples: building an rdflib Graph costs more than
    the whole mapping.
    """
    root, triples = _build(record, curated, source_sha256)
    return root, triples_to_ntriples(triples)


__all__ = ["assessment_iri", "record_to_graph", "record_to_ntriples", "record_to_triples", "triples_to_ntriples"]
