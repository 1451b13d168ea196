"""Reading YAML: multi-document files, syntax errors with line/column, folders."""

from __future__ import annotations

from pathlib import Path

from pinnace.resources.documents import parse_text, read_paths


def test_multi_document_numbering_skips_empty_documents() -> None:
    docs = parse_text("a: 1\n---\n---\nb: 2\n", "f.yaml")
    assert [(d.index, d.content) for d in docs] == [(1, {"a": 1}), (3, {"b": 2})]
    assert docs[1].where == "f.yaml[doc 3]"


def test_syntax_error_names_line_and_column() -> None:
    docs = parse_text("kind: Workflow\n---\nmetadata:\n  name: [unclosed\n", "bad.yaml")
    assert docs[0].content == {"kind": "Workflow"}
    err = docs[-1]
    assert err.index == 2
    assert err.error is not None
    assert "line 5, column 1" in err.error or "line 4" in err.error
    assert err.error.startswith("YAML syntax error at line ")


def test_dates_stay_strings() -> None:
    (doc,) = parse_text("exclusionDates: [2024-01-01]\n")
    assert doc.content == {"exclusionDates": ["2024-01-01"]}


def test_folders_are_searched_for_yaml(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.yaml").write_text("kind: A\n")
    (tmp_path / "b.yml").write_text("kind: B\n")
    (tmp_path / "notes.txt").write_text("kind: C\n")
    kinds = [d.content["kind"] for d in read_paths([str(tmp_path)])]
    assert kinds == ["B", "A"]


def test_missing_file_is_reported(tmp_path: Path) -> None:
    (doc,) = list(read_paths([str(tmp_path / "nope.yaml")]))
    assert doc.error == "no such file or directory"
