"""Object names and labels as Kubernetes accepts them, and ``generateName`` suffixes."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime
from typing import Any

from pinnace.resources.base import Problem

_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_LABEL_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
# Kubernetes leaves out vowels and look-alike characters so generated names never spell words.
_SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"


def generate_name(prefix: str) -> str:
    return prefix[:58] + "".join(secrets.choice(_SUFFIX_ALPHABET) for _ in range(5))


def now_rfc3339() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def name_problems(name: str, *, label_only: bool = False) -> list[Problem]:
    pattern = _DNS_LABEL if label_only else _DNS_SUBDOMAIN
    limit = 63 if label_only else 253
    if len(name) > limit:
        return [Problem("metadata.name", f"must be no more than {limit} characters")]
    if not pattern.match(name):
        return [Problem("metadata.name", f"{name!r} must consist of lower case alphanumeric characters, '-' or "
                        "'.', and must start and end with an alphanumeric character")]
    return []


def _label_key_problem(key: str) -> str | None:
    prefix, _, name = key.rpartition("/")
    if prefix and (len(prefix) > 253 or not _DNS_SUBDOMAIN.match(prefix)):
        return f"label key prefix {prefix!r} must be a DNS subdomain"
    if len(name) > 63 or not _LABEL_NAME.match(name):
        return f"label key {key!r} must be at most 63 alphanumeric characters, '-', '_' or '.'"
    return None


def label_problems(labels: Any) -> list[Problem]:
    if not isinstance(labels, dict):
        return []
    out: list[Problem] = []
    for key, value in labels.items():
        path = f"metadata.labels.{key}"
        msg = _label_key_problem(str(key))
        if msg:
            out.append(Problem(path, msg))
        elif not isinstance(value, str) or len(value) > 63 or not _LABEL_VALUE.match(value):
            out.append(Problem(path, f"label value {value!r} must be at most 63 alphanumeric characters, "
                               "'-', '_' or '.', starting and ending with an alphanumeric character"))
    return out
