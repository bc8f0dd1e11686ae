"""Entity-resolution rules (pia_graph/data/entities.yaml): one key per body, explained by rule ids."""

from __future__ import annotations

import pytest

from pia_graph.rdf.entities import department_key, explain, resolve_entity, rule_ids


def test_agent_in_brackets_and_bare_agent_are_one_body() -> None:
    a = resolve_entity("厚生労働大臣（日本年金機構）")
    b = resolve_entity("日本年金機構")
    assert a.key == b.key
    assert a.name_en == "Japan Pension Service"
    assert "known-alias" in a.rules or "agent-in-brackets" in a.rules


def test_agent_rule_applies_to_any_known_agent() -> None:
    resolution = resolve_entity("総務大臣（地方公共団体情報システム機構）")
    assert resolution.key == resolve_entity("地方公共団体情報システム機構").key
    assert explain("総務大臣（地方公共団体情報システム機構）")[-1] == "agent-in-brackets"


def test_unknown_agent_in_brackets_is_not_merged() -> None:
    assert resolve_entity("架空県知事（架空振興公社）").key == "架空県知事(架空振興公社)"


@pytest.mark.parametrize("spelling", ["株式会社　架空計算センター", "株式会社 架空計算センター",
                                      "株式会社架空計算センター", "株式会社\t架空計算センター"])
def test_whitespace_variants_share_a_key(spelling: str) -> None:
    assert resolve_entity(spelling).key == "株式会社架空計算センター"


def test_explain_lists_the_rules_that_changed_the_key() -> None:
    assert explain("株式会社架空計算センター") == []
    assert explain("株式会社　架空計算センター") == ["nfkc", "whitespace"]
    assert explain("株式会社 架空計算センター") == ["whitespace"]
    assert set(explain("中間サーバー･プラットフォーム")) == {"nfkc", "long-vowel-server"}
    assert set(rule_ids()) >= {"nfkc", "whitespace", "middle-dot", "long-vowel-server", "known-alias",
                               "agent-in-brackets", "branch-unit"}


def test_branch_is_a_unit_of_its_company() -> None:
    branch = resolve_entity("架空フィールド株式会社　千葉支社")
    assert branch.parent_key == "架空フィールド株式会社"
    assert branch.unit_name == "千葉支社"
    assert "branch-unit" in branch.rules
    assert resolve_entity("架空フィールド株式会社千葉支社").key == branch.key
    assert resolve_entity("ＡＢＣ株式会社　大阪支店").parent_key == "ABC株式会社"


def test_company_starting_with_marker_needs_a_space_before_the_unit() -> None:
    assert resolve_entity("株式会社架空　横浜営業所").parent_key == "株式会社架空"
    # no space: the whole name could be the company's own name, so it is not split
    assert resolve_entity("株式会社架空横浜営業所").parent_key is None


def test_a_centre_is_not_a_branch() -> None:
    assert resolve_entity("株式会社　架空計算センター").parent_key is None


@pytest.mark.parametrize(("a", "b"), [
    ("中間サーバー・プラットフォーム", "中間サーバ・プラットフォーム"),
    ("中間サーバー･プラットフォーム", "中間サーバー・プラットフォーム"),
    ("架空コンピューター室", "架空コンピュータ室"),
    ("ＡＢＣシステム", "ABCシステム"),
])
def test_system_name_variants(a: str, b: str) -> None:
    assert resolve_entity(a).key == resolve_entity(b).key


def test_distinct_names_stay_distinct() -> None:
    assert resolve_entity("架空システム").key != resolve_entity("架空システム2").key
    assert resolve_entity("日本年金機構").key != resolve_entity("厚生労働大臣").key


def test_department_keys_drop_the_body_place_name() -> None:
    keys = {department_key(name, "架空市長") for name in
            ("架空市健康福祉部保険年金課", "架空市役所健康福祉部保険年金課", "健康福祉部　保険年金課")}
    assert keys == {"健康福祉部保険年金課"}
    assert department_key("架空市", "架空市長") == "架空市"
