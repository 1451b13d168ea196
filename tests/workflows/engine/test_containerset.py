"""containerSet templates in the pure engine: Container child nodes, their phases and messages."""

from __future__ import annotations

from engine_sim import Sim, load

from workflows.engine import PodObservation, PodRequest
from workflows.engine.model import ContainerState

GRAPH = """
spec:
  entrypoint: main
  templates:
    - name: main
      containerSet:
        containers:
          - {name: a, image: argoproj/argosay:v2}
          - {name: b, image: argoproj/argosay:v2, dependencies: [a]}
          - {name: c, image: argoproj/argosay:v2, dependencies: [a]}
          - {name: main, image: argoproj/argosay:v2, dependencies: [b, c]}
"""


def _terminated(code: int, message: str = "") -> ContainerState:
    return ContainerState("Terminated", code, "Completed" if code == 0 else "Error", message)


def test_container_nodes_are_wired_along_dependencies() -> None:
    sim = Sim(load(GRAPH))
    sim.step()
    pod = sim.node("wf")
    assert pod["type"] == "Pod" and pod["phase"] == "Pending"
    a, b, c, main = (sim.node(f"wf.{n}") for n in ["a", "b", "c", "main"])
    assert {n["type"] for n in (a, b, c, main)} == {"Container"}
    assert a["displayName"] == "a" and a["boundaryID"] == pod["id"] and a["templateName"] == "main"
    assert pod["children"] == [a["id"]]
    assert a["children"] == [b["id"], c["id"]]
    assert b["children"] == [main["id"]] and c["children"] == [main["id"]]
    assert len(sim.requests) == 1 and "containerSet" in sim.requests[0].template


def test_exit_codes_map_to_container_phases_and_pod_message() -> None:
    def run(req: PodRequest) -> PodObservation:
        return PodObservation(
            req.node_id,
            "Failed",
            exit_code=64,
            containers={
                "a": _terminated(0),
                "b": _terminated(3),
                "c": _terminated(0),
                "main": _terminated(64, 'dependency "b" exited with non-zero code: 3'),
            },
        )

    sim = Sim(load(GRAPH), default=run)
    status = sim.run()
    assert status["phase"] == "Failed"
    assert sim.node("wf.a")["phase"] == "Succeeded"
    b = sim.node("wf.b")
    assert b["phase"] == "Failed" and b["message"] == "b: Error (exit code 3): "
    main = sim.node("wf.main")
    assert main["phase"] == "Error"
    assert main["message"] == 'main: Error (exit code 64): dependency "b" exited with non-zero code: 3'
    pod = sim.node("wf")
    assert pod["phase"] == "Failed" and pod["message"] == "b: Error (exit code 3)"
    assert pod["outputs"]["exitCode"] == "64"
    assert status["progress"] == "2/5"


def test_running_pod_reports_running_containers() -> None:
    def run(req: PodRequest) -> PodObservation:
        return PodObservation(
            req.node_id,
            "Running",
            containers={
                "a": _terminated(0),
                "b": ContainerState("Running"),
                "c": ContainerState(),
                "main": ContainerState(),
            },
        )

    sim = Sim(load(GRAPH), default=run)
    sim.step()
    sim.finish_running()
    sim.step()
    assert [sim.node(f"wf.{n}")["phase"] for n in ["a", "b", "c", "main"]] == [
        "Succeeded",
        "Running",
        "Pending",
        "Pending",
    ]
    assert sim.node("wf")["phase"] == "Running"


def test_deleted_pod_marks_its_containers_deleted() -> None:
    sim = Sim(load(GRAPH))
    sim.step()
    sim.pods.clear()
    status = sim.run()
    assert status["phase"] == "Error"
    assert sim.node("wf")["message"] == "pod deleted"
    assert {sim.node(f"wf.{n}")["message"] for n in ["a", "b", "c", "main"]} == {"container deleted"}


def test_main_container_gives_the_result_to_the_next_task() -> None:
    wf = load(
        """
spec:
  entrypoint: main
  templates:
    - name: main
      dag:
        tasks:
          - {name: a, template: group}
          - name: b
            template: echo
            dependencies: [a]
            arguments: {parameters: [{name: x, value: "{{tasks.a.outputs.result}}"}]}
    - name: group
      containerSet:
        containers:
          - {name: main, image: alpine, command: [echo, hi]}
    - name: echo
      inputs: {parameters: [{name: x}]}
      container: {image: alpine, command: [echo, "{{inputs.parameters.x}}"]}
"""
    )

    def run(req: PodRequest) -> PodObservation:
        return PodObservation(req.node_id, "Succeeded", exit_code=0, result="hi", containers={"main": _terminated(0)})

    sim = Sim(wf, behaviours={"group": run})
    assert sim.run()["phase"] == "Succeeded"
    echo = next(r for r in sim.requests if r.template["name"] == "echo")
    assert echo.template["container"]["command"] == ["echo", "hi"]
    assert sim.node("wf.a")["outputs"] == {"exitCode": "0", "result": "hi"}
    assert sim.node("wf.a.main")["phase"] == "Succeeded"
