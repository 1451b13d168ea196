"""The real ``kubernetes`` Python client against the running server, configured by our kubeconfig."""

from __future__ import annotations

import copy
import threading
from typing import Any

import pytest
from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException

from tests.api.conftest import WORKFLOW, RunningApi

G, V = "argoproj.io", "v1alpha1"


@pytest.fixture
def kube(api: RunningApi) -> client.ApiClient:
    return config.new_client_from_config(config_file=str(api.kubeconfig))


def test_custom_object_crud_with_generate_name(kube: client.ApiClient) -> None:
    co = client.CustomObjectsApi(kube)
    created = co.create_namespaced_custom_object(G, V, "default", "workflows", copy.deepcopy(WORKFLOW))
    name = created["metadata"]["name"]
    assert name.startswith("hello-") and len(name) == len("hello-") + 5
    assert created["metadata"]["uid"] and created["metadata"]["creationTimestamp"]
    assert created["metadata"]["generation"] == 1

    got = co.get_namespaced_custom_object(G, V, "default", "workflows", name)
    assert got == created

    got["spec"]["templates"][0]["container"]["command"] = ["echo", "bye"]
    updated = co.replace_namespaced_custom_object(G, V, "default", "workflows", name, got)
    assert int(updated["metadata"]["resourceVersion"]) > int(created["metadata"]["resourceVersion"])
    assert updated["metadata"]["generation"] == 2

    patched = co.patch_namespaced_custom_object(G, V, "default", "workflows", name,
                                                {"metadata": {"labels": {"patched": "yes"}}})
    assert patched["metadata"]["labels"] == {"team": "a", "patched": "yes"}
    assert patched["metadata"]["generation"] == 2  # metadata changes do not bump generation

    status = co.patch_namespaced_custom_object_status(G, V, "default", "workflows", name,
                                                      {"status": {"phase": "Running"}})
    assert status["status"] == {"phase": "Running"}

    listed = co.list_namespaced_custom_object(G, V, "default", "workflows")
    assert [i["metadata"]["name"] for i in listed["items"]] == [name]

    co.delete_namespaced_custom_object(G, V, "default", "workflows", name)
    with pytest.raises(ApiException) as exc:
        co.get_namespaced_custom_object(G, V, "default", "workflows", name)
    assert exc.value.status == 404


def test_configmap_crud_and_label_selectors(kube: client.ApiClient) -> None:
    core = client.CoreV1Api(kube)
    for name, labels in [("a", {"env": "prod", "tier": "web"}), ("b", {"env": "dev"}), ("c", {})]:
        core.create_namespaced_config_map("default", client.V1ConfigMap(
            metadata=client.V1ObjectMeta(name=name, labels=labels), data={"k": name}))

    def names(selector: str) -> list[str]:
        found = core.list_namespaced_config_map("default", label_selector=selector).items
        return sorted(i.metadata.name for i in found)

    assert names("env=prod") == ["a"]
    assert names("env==dev") == ["b"]
    assert names("env!=prod") == ["b", "c"]
    assert names("env in (prod,dev)") == ["a", "b"]
    assert names("env notin (prod)") == ["b", "c"]
    assert names("tier") == ["a"]
    assert names("!env") == ["c"]
    assert names("env=prod,tier=web") == ["a"]
    by_field = core.list_namespaced_config_map("default", field_selector="metadata.name=b").items
    assert [i.metadata.name for i in by_field] == ["b"]

    first = core.list_namespaced_config_map("default", limit=2)
    assert len(first.items) == 2 and first.metadata._continue
    rest = core.list_namespaced_config_map("default", limit=2, _continue=first.metadata._continue)
    assert [i.metadata.name for i in first.items + rest.items] == ["a", "b", "c"]
    assert not rest.metadata._continue

    cm = core.read_namespaced_config_map("a", "default")
    assert cm.data == {"k": "a"}
    core.delete_namespaced_config_map("a", "default")
    with pytest.raises(ApiException) as exc:
        core.read_namespaced_config_map("a", "default")
    assert exc.value.status == 404
    assert "not found" in exc.value.body


def test_stale_resource_version_is_409(kube: client.ApiClient) -> None:
    core = client.CoreV1Api(kube)
    cm = core.create_namespaced_config_map("default", {"metadata": {"name": "x"}, "data": {"v": "1"}})
    cm.data = {"v": "2"}
    core.replace_namespaced_config_map("x", "default", cm)
    cm.data = {"v": "3"}  # still carries the old resourceVersion
    with pytest.raises(ApiException) as exc:
        core.replace_namespaced_config_map("x", "default", cm)
    assert exc.value.status == 409
    assert '"reason": "Conflict"' in exc.value.body or '"reason":"Conflict"' in exc.value.body
    assert core.read_namespaced_config_map("x", "default").data == {"v": "2"}

    with pytest.raises(ApiException) as exc:
        core.create_namespaced_config_map("default", {"metadata": {"name": "x"}})
    assert exc.value.status == 409 and "AlreadyExists" in exc.value.body


def test_watch_delivers_added_modified_deleted_in_order(kube: client.ApiClient) -> None:
    co = client.CustomObjectsApi(kube)
    start = co.list_namespaced_custom_object(G, V, "default", "workflows")
    seen: list[tuple[str, str, Any]] = []
    w = watch.Watch()
    done = threading.Event()

    def consume() -> None:
        for ev in w.stream(co.list_namespaced_custom_object, G, V, "default", "workflows",
                           resource_version=start["metadata"]["resourceVersion"], timeout_seconds=10):
            obj = ev["object"]
            seen.append((ev["type"], obj["metadata"]["name"], obj.get("status")))
            if ev["type"] == "DELETED":
                w.stop()
        done.set()

    t = threading.Thread(target=consume, daemon=True)
    t.start()
    body = copy.deepcopy(WORKFLOW)
    body["metadata"] = {"name": "watched"}
    co.create_namespaced_custom_object(G, V, "default", "workflows", body)
    co.patch_namespaced_custom_object_status(G, V, "default", "workflows", "watched",
                                             {"status": {"phase": "Succeeded"}})
    co.delete_namespaced_custom_object(G, V, "default", "workflows", "watched")
    assert done.wait(15)
    assert seen == [("ADDED", "watched", None), ("MODIFIED", "watched", {"phase": "Succeeded"}),
                    ("DELETED", "watched", {"phase": "Succeeded"})]


def test_watch_without_version_starts_with_current_objects(kube: client.ApiClient) -> None:
    core = client.CoreV1Api(kube)
    core.create_namespaced_config_map("default", {"metadata": {"name": "pre"}})
    w = watch.Watch()
    events = []
    for ev in w.stream(core.list_namespaced_config_map, "default", timeout_seconds=2):
        events.append((ev["type"], ev["object"].metadata.name))
        if len(events) == 1:
            core.create_namespaced_config_map("default", {"metadata": {"name": "post"}})
        if len(events) == 2:
            w.stop()
    assert events == [("ADDED", "pre"), ("ADDED", "post")]


def test_discovery_and_version(kube: client.ApiClient) -> None:
    resources = client.CustomObjectsApi(kube).get_api_resources(G, V)
    short = {r.name: r.short_names for r in resources.resources}
    assert short["workflows"] == ["wf"]
    assert short["workflowtemplates"] == ["wftmpl"]
    assert short["clusterworkflowtemplates"] == ["cwftmpl"]
    assert "cwf" in short["cronworkflows"]
    assert short["eventsources"] == ["es"] and short["eventbus"] == ["eb"]
    names = {r.name for r in client.CoreV1Api(kube).get_api_resources().resources}
    assert {"configmaps", "secrets", "namespaces"} <= names
    assert client.VersionApi(kube).get_code().major == "1"
    groups = client.ApisApi(kube).get_api_versions().groups
    assert [g.name for g in groups] == ["argoproj.io"]


def test_cluster_scoped_kind(kube: client.ApiClient) -> None:
    co = client.CustomObjectsApi(kube)
    body = {"apiVersion": "argoproj.io/v1alpha1", "kind": "ClusterWorkflowTemplate",
            "metadata": {"name": "shared"},
            "spec": {"templates": [{"name": "t", "container": {"image": "alpine"}}]}}
    co.create_cluster_custom_object(G, V, "clusterworkflowtemplates", body)
    got = co.get_cluster_custom_object(G, V, "clusterworkflowtemplates", "shared")
    assert "namespace" not in got["metadata"]
    assert [i["metadata"]["name"] for i in co.list_cluster_custom_object(G, V, "clusterworkflowtemplates")["items"]] \
        == ["shared"]
    namespaces = [n.metadata.name for n in client.CoreV1Api(kube).list_namespace().items]
    assert "default" in namespaces
