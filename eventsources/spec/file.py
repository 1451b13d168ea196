"""The ``file`` event source: watch a directory for file changes (``FileEventSource``)."""

from __future__ import annotations

import posixpath
import re

from eventsources.spec.checks import check_enum, require
from eventsources.spec.common import AnyStr, EventsModel, EventSourceFilter
from eventsources.spec.types import register_source_type
from pinnace.resources.base import Problems, join_path

# fsnotify operation names; Argo compares them to eventType verbatim.
FILE_EVENT_TYPES = ("CREATE", "WRITE", "REMOVE", "RENAME", "CHMOD")


class WatchPathConfig(EventsModel):
    directory: str = ""
    path: str | None = None
    path_regexp: str | None = None


class FileEventSource(EventsModel):
    event_type: str = ""
    watch_path_config: WatchPathConfig | None = None
    polling: bool | None = None
    metadata: dict[str, AnyStr] | None = None
    filter: EventSourceFilter | None = None


def check_watch_path(cfg: WatchPathConfig, path: str, problems: Problems) -> None:
    """As ``WatchPathConfig.Validate`` in argo-events ``file_config.go``."""
    directory = join_path(path, "directory")
    has_directory = require(cfg.directory, directory, problems, "the absolute path of the directory to watch")
    if has_directory and not posixpath.isabs(cfg.directory):
        problems.error(directory, f"directory {cfg.directory!r} must be an absolute path")
    if not cfg.path and not cfg.path_regexp:
        problems.error(path, "either path or pathRegexp must be given")
    elif cfg.path and cfg.path_regexp:
        problems.error(path, "path and pathRegexp cannot be given together")
    if cfg.path and posixpath.isabs(cfg.path):
        problems.error(join_path(path, "path"), f"path {cfg.path!r} must be relative to the directory")
    if cfg.path_regexp:
        try:
            re.compile(cfg.path_regexp)
        except re.error as exc:
            problems.error(join_path(path, "pathRegexp"), f"invalid regular expression {cfg.path_regexp!r}: {exc}")


def check_file_source(src: FileEventSource, path: str, problems: Problems) -> None:
    if require(src.event_type, join_path(path, "eventType"), problems, f"one of {', '.join(FILE_EVENT_TYPES)}"):
        check_enum(src.event_type, FILE_EVENT_TYPES, join_path(path, "eventType"), problems, "eventType")
    cfg_path = join_path(path, "watchPathConfig")
    if src.watch_path_config is None:
        require(None, cfg_path, problems, "the directory and path (or pathRegexp) to watch")
    else:
        check_watch_path(src.watch_path_config, cfg_path, problems)


def check_file_sources(events: dict[str, FileEventSource], path: str, problems: Problems) -> None:
    for name, src in events.items():
        check_file_source(src, join_path(path, name), problems)


register_source_type("file", FileEventSource, check_file_sources)
