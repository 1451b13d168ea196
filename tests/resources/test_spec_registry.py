"""The name -> (model, check) registry shared by event source types and trigger types."""

from __future__ import annotations

import pytest

from eventsources.spec.types import SOURCE_TYPES, register_source_type
from pinnace.resources.base import ArgoModel
from pinnace.resources.registry import SpecTypes
from sensors.spec.trigger_types import register_trigger_type


class Model(ArgoModel):
    name: str = ""


def test_register_keeps_key_model_and_check_and_refuses_a_second_or_argo_only_key() -> None:
    types: SpecTypes[str] = SpecTypes("widget type", ("argoOnly",))
    types.register("a", Model, "check-a")
    assert types["a"].key == "a" and types["a"].model is Model and types["a"].check == "check-a"
    with pytest.raises(ValueError, match="widget type 'a' registered twice"):
        types.register("a", Model, "again")
    with pytest.raises(ValueError, match="widget type 'argoOnly' registered twice"):
        types.register("argoOnly", Model, "x")
    assert list(types) == ["a"]


def test_event_source_and_trigger_registries_refuse_known_keys() -> None:
    assert "webhook" in SOURCE_TYPES
    with pytest.raises(ValueError, match="event source type 'webhook' registered twice"):
        register_source_type("webhook", Model, lambda events, path, problems: None)
    with pytest.raises(ValueError, match="trigger type 'kafka' registered twice"):
        register_trigger_type("kafka", Model, lambda model, path, ctx, problems: None)
