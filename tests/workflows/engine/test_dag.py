from engine_sim import Sim, fail, load, succeed

DIAMOND = """
spec:
  entrypoint: diamond
  templates:
  - name: diamond
    dag:
      tasks:
      - {name: A, template: echo}
      - {name: B, template: echo, dependencies: [A]}
      - {name: C, template: echo, dependencies: [A]}
      - {name: D, template: echo, dependencies: [B, C]}
  - name: echo
    container: {image: alpine, command: [echo, hi]}
"""


def test_diamond_runs_in_dependency_order_and_wires_children() -> None:
    sim = Sim(load(DIAMOND))
    status = sim.run()
    assert status["phase"] == "Succeeded"
    a, b, c, d = (sim.node(f"wf.{t}") for t in "ABCD")
    root = sim.node("wf")
    assert root["type"] == "DAG" and root["children"] == [a["id"]]
    assert sorted(a["children"]) == sorted([b["id"], c["id"]])
    assert b["children"] == [d["id"]] and c["children"] == [d["id"]]
    assert root["outboundNodes"] == [d["id"]]
    assert a["displayName"] == "A" and d["boundaryID"] == "wf"
    order = [r.node_name for r in sim.requests]
    assert order[0] == "wf.A" and order[-1] == "wf.D"
    assert status["progress"] == "4/4"


def test_enhanced_depends_omits_and_targets_decide() -> None:
    sim = Sim(
        load("""
spec:
  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - {name: A, template: pass}
      - {name: B, template: pass, depends: A}
      - {name: C, template: bad, depends: A}
      - {name: should-execute-1, template: pass, depends: "A && (C.Succeeded || C.Failed)"}
      - {name: should-not-execute, template: pass, depends: "B && C"}
      - {name: should-execute-2, template: pass, depends: "B || C"}
  - name: pass
    container: {image: alpine, command: [true]}
  - name: bad
    container: {image: alpine, command: [false]}
"""),
        {"bad": fail(1)},
    )
    status = sim.run()
    omitted = sim.node("wf.should-not-execute")
    assert omitted["type"] == "Skipped" and omitted["phase"] == "Omitted"
    assert omitted["message"] == "omitted: depends condition not met"
    assert sim.node("wf.should-execute-1")["phase"] == "Succeeded"
    assert sim.node("wf.should-execute-2")["phase"] == "Succeeded"
    assert sim.node("wf.C")["phase"] == "Failed"
    # The omitted target sits under failed C, so its branch counts as Failed (assessDAGPhase).
    assert status["phase"] == "Failed"


def test_dag_fails_fast_by_default_and_dependents_are_not_started() -> None:
    sim = Sim(
        load("""
spec:
  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - {name: A, template: bad}
      - {name: B, template: pass, dependencies: [A]}
  - name: pass
    container: {image: alpine, command: [true]}
  - name: bad
    container: {image: alpine, command: [false]}
"""),
        {"bad": fail(2)},
    )
    status = sim.run()
    assert status["phase"] == "Failed"
    assert sim.node("wf.A")["message"] == "main: Error (exit code 2)"
    assert sim.node("wf.B")["phase"] == "Omitted"


def test_dag_loop_creates_task_group_and_aggregates_parameters() -> None:
    sim = Sim(
        load("""
spec:
  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - name: gen
        template: gen
        arguments: {parameters: [{name: n, value: "{{item}}"}]}
        withItems: [1, 2]
      - name: sum
        template: show
        dependencies: [gen]
        arguments: {parameters: [{name: all, value: "{{tasks.gen.outputs.parameters.num}}"}]}
  - name: gen
    inputs: {parameters: [{name: n}]}
    container: {image: alpine, command: [true]}
    outputs: {parameters: [{name: num, valueFrom: {path: /tmp/num}}]}
  - name: show
    inputs: {parameters: [{name: all}]}
    container: {image: alpine, command: [echo, "{{inputs.parameters.all}}"]}
"""),
        {"gen": lambda r: succeed(num=r.template["inputs"]["parameters"][0]["value"])(r)},
    )
    status = sim.run()
    assert status["phase"] == "Succeeded"
    group = sim.node("wf.gen")
    assert group["type"] == "TaskGroup" and len(group["children"]) == 2
    show = next(r for r in sim.requests if r.node_name == "wf.sum")
    assert show.template["container"]["command"][1] == '["1","2"]'


def test_task_when_false_is_skipped_with_argo_message() -> None:
    sim = Sim(
        load("""
spec:
  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - {name: A, template: pass, when: "1 > 2"}
  - name: pass
    container: {image: alpine, command: [true]}
""")
    )
    status = sim.run()
    assert sim.node("wf.A")["message"] == "when '1 > 2' evaluated false"
    assert status["phase"] == "Succeeded"
