"""Reading one key of a Secret or ConfigMap through a ResourceClient."""

from __future__ import annotations

import base64

import pytest

from pinnace.resources.memory import MemoryClient
from pinnace.resources.refs import KeyRefError, read_configmap_key, read_secret_key


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


@pytest.fixture
async def client() -> MemoryClient:
    c = MemoryClient()
    await c.create({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": "ns"},
                    "data": {"user": b64(b"alice"), "both": b64(b"from-data"), "bin": b64(b"\xff\xfe")},
                    "stringData": {"both": "from-stringData", "plain": "p"}})
    await c.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm", "namespace": "ns"},
                    "data": {"a": "1"}})
    return c


async def test_secret_data_is_decoded_and_string_data_wins(client: MemoryClient) -> None:
    assert await read_secret_key(client, "s", "user", "ns") == "alice"
    assert await read_secret_key(client, "s", "plain", "ns") == "p"
    assert await read_secret_key(client, "s", "both", "ns") == "from-stringData"
    assert await read_configmap_key(client, "cm", "a", "ns") == "1"


async def test_missing_object_names_kind_name_and_namespace(client: MemoryClient) -> None:
    with pytest.raises(KeyRefError, match="Secret 'nope' not found in namespace 'ns'") as info:
        await read_secret_key(client, "nope", "user", "ns")
    assert info.value.reason == "object" and info.value.missing
    with pytest.raises(KeyRefError, match="ConfigMap 'cm' not found in namespace 'other'"):
        await read_configmap_key(client, "cm", "a", "other")


async def test_missing_key_lists_the_keys_there_are(client: MemoryClient) -> None:
    with pytest.raises(KeyRefError, match=r"ConfigMap 'cm' in namespace 'ns' has no key 'b' \(its keys: a\)") as info:
        await read_configmap_key(client, "cm", "b", "ns")
    assert info.value.reason == "key" and info.value.missing
    with pytest.raises(KeyRefError, match="Secret 's' in namespace 'ns' has no key 'x'") as info:
        await read_secret_key(client, "s", "x", "ns")
    assert (info.value.kind, info.value.name, info.value.key) == ("Secret", "s", "x")


async def test_a_value_that_is_not_text_is_not_missing(client: MemoryClient) -> None:
    with pytest.raises(KeyRefError, match="key 'bin' in namespace 'ns' is not valid base64 text") as info:
        await read_secret_key(client, "s", "bin", "ns")
    assert info.value.reason == "value" and not info.value.missing
