"""Lint a set of paths: every document read, validated, and reported one line per problem."""

from __future__ import annotations

from dataclasses import dataclass, field

from pinnace.resources.base import Problem
from pinnace.resources.documents import Document, read_paths
from pinnace.resources.validate import validate_object


@dataclass
class DocumentReport:
    document: Document
    problems: list[Problem]

    @property
    def unsupported(self) -> bool:
        return bool(self.problems) and all(p.severity == "unsupported" for p in self.problems)


@dataclass
class LintReport:
    documents: list[DocumentReport] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(not d.problems for d in self.documents)

    def lines(self) -> list[str]:
        out = []
        for rep in self.documents:
            doc = rep.document
            for problem in rep.problems:
                if doc.error is not None:
                    out.append(f"{doc.where}: {problem.message}")
                else:
                    out.append(f"{doc.where} {doc.label}: {problem}")
        return out

    def summary(self) -> str:
        bad = sum(1 for d in self.documents if d.problems and not d.unsupported)
        unsup = sum(1 for d in self.documents if d.unsupported)
        good = len(self.documents) - bad - unsup
        return f"{len(self.documents)} documents: {good} valid, {bad} invalid, {unsup} unsupported"


def lint_document(doc: Document) -> DocumentReport:
    if doc.error is not None:
        return DocumentReport(doc, [Problem("", doc.error)])
    _, problems = validate_object(doc.content)
    return DocumentReport(doc, problems)


def lint_paths(paths: list[str]) -> LintReport:
    return LintReport([lint_document(doc) for doc in read_paths(paths)])
