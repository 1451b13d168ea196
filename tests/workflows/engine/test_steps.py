from pathlib import Path

from engine_sim import Sim, fail, load, succeed

from workflows.engine import fnv32a, node_id, pod_name

COINFLIP = Path("/work/shared/reference/seed-coinflip.yaml").read_text()


def test_fnv32a_matches_go_hash_fnv() -> None:
    assert fnv32a("") == 2166136261
    assert fnv32a("a") == 0xE40C292C
    assert node_id("wf", "wf") == "wf"
    assert node_id("wf", "wf[0].a") == f"wf-{fnv32a('wf[0].a')}"
    assert pod_name("wf", "wf[0].a", "echo") == f"wf-echo-{fnv32a('wf[0].a')}"


def test_coinflip_recurses_until_heads() -> None:
    flips = iter(["tails", "tails", "heads"])
    sim = Sim(load(COINFLIP, "coin"), {"flip-coin": lambda r: succeed(next(flips))(r)})
    status = sim.run()
    assert status["phase"] == "Succeeded"
    root = sim.node("coin")
    assert root["type"] == "Steps" and root["id"] == "coin"
    skipped = sim.node("coin[1].heads")
    assert skipped["phase"] == "Skipped" and skipped["message"] == "when 'tails == heads' evaluated false"
    heads = sim.node("coin[1].tails[1].tails[1].heads")
    assert heads["type"] == "Pod" and heads["phase"] == "Succeeded"
    assert heads["displayName"] == "heads" and heads["boundaryID"] == sim.node("coin[1].tails[1].tails")["id"]
    assert sim.node("coin[0]")["displayName"] == "[0]"
    assert sim.node("coin[0].flip-coin")["outputs"]["result"] == "tails"
    assert status["progress"] == "4/4"


def test_failed_container_fails_group_and_workflow() -> None:
    sim = Sim(
        load("""
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - name: a
        template: boom
    - - name: never
        template: boom
  - name: boom
    container: {image: alpine, command: [sh, -c, "exit 1"]}
"""),
        default=fail(1),
    )
    status = sim.run()
    a = sim.node("wf[0].a")
    assert a["phase"] == "Failed" and a["message"] == "main: Error (exit code 1)"
    assert a["outputs"]["exitCode"] == "1"
    group = sim.node("wf[0]")
    assert group["phase"] == "Failed" and group["message"] == f"child '{a['id']}' failed"
    assert status["phase"] == "Failed" and status["message"] == f"child '{a['id']}' failed"
    assert not sim.by_display("never")
    assert status["progress"] == "0/1"


def test_continue_on_failed_keeps_node_failed_but_workflow_succeeds() -> None:
    sim = Sim(
        load("""
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - name: a
        template: boom
        continueOn: {failed: true}
    - - name: b
        template: ok
        when: "{{steps.a.status}} == Failed"
  - name: boom
    container: {image: alpine, command: [false]}
  - name: ok
    container: {image: alpine, command: [true]}
"""),
        {"boom": fail(3)},
    )
    status = sim.run()
    assert status["phase"] == "Succeeded"
    assert sim.node("wf[0].a")["phase"] == "Failed"
    assert sim.node("wf[1].b")["phase"] == "Succeeded"


def test_with_items_names_and_aggregates_results() -> None:
    sim = Sim(
        load("""
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - name: gen
        template: echo
        arguments: {parameters: [{name: v, value: "{{item}}"}]}
        withItems: [1, "two", {a: 1, b: "x"}]
    - - name: show
        template: echo
        arguments: {parameters: [{name: v, value: "{{steps.gen.outputs.result}}"}]}
  - name: echo
    inputs: {parameters: [{name: v}]}
    container: {image: alpine, command: [echo, "{{inputs.parameters.v}}"]}
"""),
        default=lambda r: succeed(r.template["container"]["command"][1])(r),
    )
    status = sim.run()
    assert status["phase"] == "Succeeded"
    names = sorted(n["displayName"] for n in status["nodes"].values() if n["type"] == "Pod")
    assert names == ["gen(0:1)", "gen(1:two)", "gen(2:a:1,b:x)", "show"]
    show = next(r for r in sim.requests if r.node_name.endswith(".show"))
    assert show.template["container"]["command"][1] == '[1,"two",{"a":1,"b":"x"}]'


def test_empty_with_param_is_skipped() -> None:
    sim = Sim(
        load("""
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - name: loop
        template: x
        withParam: "[]"
  - name: x
    container: {image: alpine, command: [true]}
""")
    )
    status = sim.run()
    node = sim.node("wf[0].loop")
    assert node["phase"] == "Skipped" and node["message"] == "Skipped, empty params"
    assert status["phase"] == "Succeeded"


def test_with_sequence_format_and_descending() -> None:
    sim = Sim(
        load("""
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - name: up
        template: x
        withSequence: {count: "3", start: "8", format: "%02X"}
      - name: down
        template: x
        withSequence: {start: "2", end: "0"}
  - name: x
    container: {image: alpine, command: [true]}
""")
    )
    sim.run()
    shown = sorted(n["displayName"] for n in sim.status["nodes"].values() if n["type"] == "Pod")
    assert shown == ["down(0:2)", "down(1:1)", "down(2:0)", "up(0:08)", "up(1:09)", "up(2:0A)"]


def test_output_parameters_flow_between_steps_with_json_escaping() -> None:
    sim = Sim(
        load("""
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - name: produce
        template: produce
    - - name: consume
        template: consume
        arguments: {parameters: [{name: m, value: "{{steps.produce.outputs.parameters.msg}}"}]}
  - name: produce
    container: {image: alpine, command: [true]}
    outputs: {parameters: [{name: msg, valueFrom: {path: /tmp/m}}]}
  - name: consume
    inputs: {parameters: [{name: m}]}
    container: {image: alpine, command: [echo], args: ["{{inputs.parameters.m}}"]}
"""),
        {"produce": succeed(msg='say "hi"\nbye')},
    )
    status = sim.run()
    assert status["phase"] == "Succeeded"
    consume = next(r for r in sim.requests if r.node_name.endswith("consume"))
    assert consume.template["container"]["args"] == ['say "hi"\nbye']
    assert sim.node("wf[1].consume")["inputs"]["parameters"][0]["value"] == 'say "hi"\nbye'


def test_invalid_entrypoint_fails_with_invalid_spec() -> None:
    sim = Sim(load("spec:\n  entrypoint: nope\n  templates:\n  - name: a\n    container: {image: x}\n"))
    status = sim.run()
    assert status["phase"] == "Failed"
    assert status["message"] == "invalid spec: template name 'nope' undefined"


def test_missing_input_is_a_node_error() -> None:
    sim = Sim(
        load("""
spec:
  entrypoint: main
  templates:
  - name: main
    inputs: {parameters: [{name: x}]}
    container: {image: alpine, command: [true]}
""")
    )
    status = sim.run()
    assert status["phase"] == "Error"
    assert sim.node("wf")["message"] == "inputs.parameters.x was not supplied"


def test_fail_fast_steps_stops_after_failure() -> None:
    sim = Sim(
        load("""
spec:
  entrypoint: main
  templates:
  - name: main
    failFast: true
    parallelism: 1
    steps:
    - - name: s
        template: x
        withItems: [a, b, c]
  - name: x
    inputs: {parameters: [{name: v, value: "{{item}}"}]}
    container: {image: alpine, command: [echo, "{{inputs.parameters.v}}"]}
"""),
        default=fail(1),
    )
    status = sim.run()
    msg = "template has failed or errored children and failFast enabled"
    assert status["phase"] == "Failed" and sim.node("wf")["message"] == msg
    assert sim.node("wf[0]")["message"] == msg
    assert len([n for n in status["nodes"].values() if n["type"] == "Pod"]) == 1
