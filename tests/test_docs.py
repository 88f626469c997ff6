"""The docs stay true: the allowed-children table matches the code, and every League rule ID is
mapped in docs/rules.md, with a named test for each one marked 已实现."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tuanwu.organisations.rules import ALLOWED_CHILDREN, KIND_LABELS, ROOT_KINDS

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"
SHARED_RULES = REPO.parent / "shared" / "domain" / "rules.md"
LABEL_TO_KIND = {label: kind for kind, label in KIND_LABELS.items()}
ROW = re.compile(r"^\|\s*(R\d+\.\d+)\s*\|(.*)\|\s*$")


def _table_rows(text: str, header_start: str) -> list[list[str]]:
    """Cells of the markdown table whose header row starts with ``header_start``."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header_start))
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows


def parse_allowed_children(text: str) -> dict[str, frozenset[str]]:
    table = {}
    for label, code, children in _table_rows(text, "| 上级类型"):
        kind = LABEL_TO_KIND[label]
        assert code == f"`{kind}`", f"{label} 的代码应为 {kind}"
        names = [] if children == "（不设下级）" else children.split("、")
        table[kind] = frozenset(LABEL_TO_KIND[name] for name in names)
    return table


def test_tree_doc_allowed_children_table_equals_the_code():
    text = (DOCS / "tree.md").read_text(encoding="utf-8")
    assert parse_allowed_children(text) == ALLOWED_CHILDREN


def test_tree_doc_root_kinds_equal_the_code():
    text = (DOCS / "tree.md").read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if line.startswith("可作为顶层"))
    names = line.split("：", 1)[1].rstrip("。").split("、")
    assert frozenset(LABEL_TO_KIND[n] for n in names) == ROOT_KINDS


def test_tree_doc_parser_notices_a_difference():
    text = (DOCS / "tree.md").read_text(encoding="utf-8")
    changed = text.replace("| 团总支 | `general_branch` | 团支部 |", "| 团总支 | `general_branch` | 团支部、团委 |")
    assert changed != text
    assert parse_allowed_children(changed) != ALLOWED_CHILDREN


def rules_doc_statuses() -> dict[str, str]:
    statuses = {}
    for line in (DOCS / "rules.md").read_text(encoding="utf-8").splitlines():
        match = ROW.match(line)
        if match:
            cells = [c.strip() for c in match.group(2).split("|")]
            statuses[match.group(1)] = cells[-1]
    return statuses


def test_every_rule_id_is_in_the_rules_doc():
    if not SHARED_RULES.exists():
        pytest.skip(f"规则文件不存在：{SHARED_RULES}（shared/ 应位于仓库旁）")
    ids = re.findall(r"\*\*(R\d+\.\d+)\*\*", SHARED_RULES.read_text(encoding="utf-8"))
    assert len(ids) > 50
    documented = rules_doc_statuses()
    assert [rid for rid in ids if rid not in documented] == []
    assert sorted(set(documented) - set(ids)) == []


def _test_names() -> set[str]:
    names: set[str] = set()
    pattern = re.compile(r"^\s*(?:async\s+)?def\s+(test_\w+)", re.M)
    for root in (REPO / "tuanwu", REPO / "tests", REPO / "e2e"):
        for path in root.rglob("test_*.py"):
            names.update(pattern.findall(path.read_text(encoding="utf-8")))
    return names


def test_every_implemented_rule_has_a_test_named_after_it():
    statuses = rules_doc_statuses()
    implemented = sorted(rid for rid, status in statuses.items() if status.startswith("已实现"))
    assert "R7.1" in implemented and "R7.2" in implemented
    names = _test_names()
    missing = []
    for rid in implemented:
        token = re.compile(rf"(^|_){rid.replace('.', '_')}(_|$)")
        if not any(token.search(name) for name in names):
            missing.append(rid)
    assert missing == []


def test_rules_doc_status_values_are_known():
    allowed = re.compile(r"^(已实现|仅参数（待实现：(issue #\d+|后续 issue)）|待实现（(issue #\d+|后续 issue)）)$")
    assert [(rid, s) for rid, s in rules_doc_statuses().items() if not allowed.match(s)] == []


def test_rules_doc_lists_every_declared_rule_parameter_on_its_rule():
    from tuanwu.core.rule_settings import REGISTRY

    rows = {}
    for line in (DOCS / "rules.md").read_text(encoding="utf-8").splitlines():
        match = ROW.match(line)
        if match:
            rows[match.group(1)] = [c.strip() for c in match.group(2).split("|")]
    documented = {(rid, key) for rid, cells in rows.items() for key in re.findall(r"`([\w.]+)`", cells[2])}
    declared = {(d.rule_id, d.key) for d in REGISTRY.values()}
    assert documented == declared
