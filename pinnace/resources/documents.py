"""Reading YAML files into documents that remember where they came from."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

YAML_SUFFIXES = (".yaml", ".yml", ".json")


class _Loader(yaml.SafeLoader):
    """SafeLoader without timestamp resolution: Kubernetes keeps dates as strings."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class Document:
    """One YAML document: its content, or the syntax error that stopped reading."""

    file: str
    index: int  # 1-based, as users count
    content: Any = None
    error: str | None = None

    @property
    def where(self) -> str:
        return f"{self.file}[doc {self.index}]"

    @property
    def label(self) -> str:
        """``Workflow/name`` for messages."""
        c: dict[str, Any] = self.content if isinstance(self.content, dict) else {}
        raw_meta = c.get("metadata")
        meta: dict[str, Any] = raw_meta if isinstance(raw_meta, dict) else {}
        name = meta.get("name") or meta.get("generateName") or "<unnamed>"
        return f"{c.get('kind', '<no kind>')}/{name}"


def _syntax_error(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    if mark is not None:
        return f"YAML syntax error at line {mark.line + 1}, column {mark.column + 1}: {problem}"
    return f"YAML syntax error: {problem}"


def parse_text(text: str, file: str = "<input>") -> list[Document]:
    """Every non-empty document in ``text``; a syntax error ends the file with an error document."""
    docs: list[Document] = []
    index = 0
    try:
        for content in yaml.load_all(text, Loader=_Loader):
            index += 1
            if content is not None:
                docs.append(Document(file, index, content))
    except yaml.YAMLError as exc:
        docs.append(Document(file, index + 1, error=_syntax_error(exc)))
    except RecursionError:
        docs.append(Document(file, index + 1, error="YAML document is nested too deeply to read"))
    return docs


def read_file(path: Path) -> list[Document]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [Document(str(path), 1, error=f"cannot read file: {exc}")]
    return parse_text(text, str(path))


def expand_paths(paths: list[str]) -> Iterator[Path]:
    """Files named directly, and YAML files found under folders (sorted, recursive)."""
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            yield from sorted(f for f in p.rglob("*") if f.is_file() and f.suffix in YAML_SUFFIXES)
        else:
            yield p


def read_paths(paths: list[str]) -> Iterator[Document]:
    for path in expand_paths(paths):
        if not path.exists():
            yield Document(str(path), 1, error="no such file or directory")
            continue
        yield from read_file(path)
