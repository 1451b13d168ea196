import datetime as dt

from engine_sim import Sim, fail, load, succeed

from workflows.engine import resume

RETRY = """
spec:
  entrypoint: main
  templates:
  - name: main
    retryStrategy: {limit: "10"}
    container: {image: alpine, command: [false]}
"""


def test_retry_limit_gives_eleven_attempts_then_no_more_retries_left() -> None:
    sim = Sim(load(RETRY), default=fail(1))
    status = sim.run()
    root = sim.node("wf")
    assert root["type"] == "Retry" and root["phase"] == "Failed"
    assert root["message"] == "No more retries left"
    attempts = [sim.node(f"wf({i})") for i in range(11)]
    assert all(a["phase"] == "Failed" and a["message"] == "main: Error (exit code 1)" for a in attempts)
    assert root["children"] == [a["id"] for a in attempts]
    assert attempts[3]["displayName"] == "wf(3)" and attempts[3]["nodeFlag"] == {"retried": True}
    assert status["phase"] == "Failed" and status["message"] == "No more retries left"
    assert status["progress"] == "0/11"


def test_retry_succeeds_on_second_attempt_and_exposes_retries_variable() -> None:
    outcomes = iter([fail(1), succeed("ok")])
    sim = Sim(
        load("""
spec:
  entrypoint: main
  templates:
  - name: main
    retryStrategy: {limit: 3}
    container: {image: alpine, command: [echo, "{{retries}}"]}
"""),
        default=lambda r: next(outcomes)(r),
    )
    status = sim.run()
    assert status["phase"] == "Succeeded"
    assert [r.template["container"]["command"][1] for r in sim.requests] == ["0", "1"]
    assert sim.node("wf")["phase"] == "Succeeded"


def test_retry_policy_on_error_does_not_retry_failures() -> None:
    sim = Sim(
        load("""
spec:
  entrypoint: main
  templates:
  - name: main
    retryStrategy: {limit: 3, retryPolicy: OnError}
    container: {image: alpine, command: [false]}
"""),
        default=fail(1),
    )
    sim.run()
    assert len(sim.requests) == 1
    assert sim.node("wf")["message"] == "main: Error (exit code 1)"


def test_backoff_waits_between_attempts_on_the_injected_clock() -> None:
    sim = Sim(
        load("""
spec:
  entrypoint: main
  templates:
  - name: main
    retryStrategy: {limit: 2, backoff: {duration: "10", factor: 2}}
    container: {image: alpine, command: [false]}
"""),
        default=fail(1),
    )
    sim.step()
    sim.finish_running()
    out = sim.step()
    assert sim.node("wf")["message"] == "Backoff for 10 seconds"
    assert out.requeue_after == 10.0 and len(sim.requests) == 1
    sim.now += dt.timedelta(seconds=10)
    sim.step()
    assert len(sim.requests) == 2
    sim.finish_running()
    sim.step()
    assert sim.node("wf")["message"] == "Backoff for 20 seconds"


def test_lost_pod_is_error_pod_deleted_and_retried() -> None:
    sim = Sim(
        load("""
spec:
  entrypoint: main
  templates:
  - name: main
    retryStrategy: {limit: 1, retryPolicy: Always}
    container: {image: alpine, command: [true]}
""")
    )
    sim.step()
    sim.pods.clear()  # the process that ran the pod is gone (controller restart)
    sim.step()
    lost = sim.node("wf(0)")
    assert lost["phase"] == "Error" and lost["message"] == "pod deleted"
    assert len(sim.requests) == 2
    sim.finish_running()
    assert sim.run()["phase"] == "Succeeded"


def test_exit_handler_runs_after_failure_and_sees_status() -> None:
    sim = Sim(
        load("""
spec:
  entrypoint: main
  onExit: handler
  templates:
  - name: main
    container: {image: alpine, command: [false]}
  - name: handler
    steps:
    - - name: celebrate
        template: say
        when: "{{workflow.status}} == Succeeded"
      - name: cry
        template: say
        when: "{{workflow.status}} != Succeeded"
  - name: say
    container: {image: alpine, command: [echo, "{{workflow.status}}"]}
"""),
        {"main": fail(1)},
    )
    status = sim.run()
    assert status["phase"] == "Failed"
    assert sim.node("wf.onExit")["phase"] == "Succeeded"
    assert sim.node("wf.onExit[0].celebrate")["phase"] == "Skipped"
    cry = next(r for r in sim.requests if r.node_name.endswith("cry"))
    assert cry.template["container"]["command"][1] == "Failed"


def test_failing_exit_handler_fails_a_succeeded_workflow() -> None:
    sim = Sim(
        load("""
spec:
  entrypoint: main
  onExit: handler
  templates:
  - name: main
    container: {image: alpine, command: [true]}
  - name: handler
    container: {image: alpine, command: [false]}
"""),
        {"handler": fail(4)},
    )
    status = sim.run()
    assert status["phase"] == "Failed" and status["message"] == "main: Error (exit code 4)"


def test_step_exit_hook_sees_step_outputs() -> None:
    sim = Sim(
        load("""
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - name: s1
        template: out
        hooks:
          exit:
            template: show
            arguments: {parameters: [{name: m, value: "{{steps.s1.outputs.parameters.r}}"}]}
  - name: out
    container: {image: alpine, command: [true]}
    outputs: {parameters: [{name: r, valueFrom: {path: /tmp/r}}]}
  - name: show
    inputs: {parameters: [{name: m}]}
    container: {image: alpine, command: [echo, "{{inputs.parameters.m}}"]}
"""),
        {"out": succeed(r="hello world")},
    )
    status = sim.run()
    assert status["phase"] == "Succeeded"
    hook = sim.node("wf[0].s1.onExit")
    assert hook["displayName"] == "s1.onExit" and hook["phase"] == "Succeeded"
    assert hook["id"] in sim.node("wf[0].s1")["children"]
    show = next(r for r in sim.requests if r.node_name.endswith("onExit"))
    assert show.template["container"]["command"][1] == "hello world"


def test_suspend_duration_and_resume() -> None:
    wf = load("""
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - name: wait
        template: wait
    - - name: approve
        template: approve
  - name: wait
    suspend: {duration: "20s"}
  - name: approve
    suspend: {}
""")
    sim = Sim(wf)
    out = sim.step()
    assert sim.node("wf[0].wait")["phase"] == "Running" and out.requeue_after == 20.0
    sim.now += dt.timedelta(seconds=20)
    sim.step()
    assert sim.node("wf[0].wait")["phase"] == "Succeeded"
    assert sim.node("wf[1].approve")["phase"] == "Running"
    for _ in range(3):
        sim.step()
    assert sim.status["phase"] == "Running"
    sim.wf = resume(sim.wf, sim.now)
    assert sim.run()["phase"] == "Succeeded"


def test_workflow_deadline_kills_running_pods() -> None:
    sim = Sim(
        load("""
spec:
  entrypoint: main
  activeDeadlineSeconds: 5
  templates:
  - name: main
    container: {image: alpine, command: [sleep, "100"]}
""")
    )
    sim.hold.add("main")
    out = sim.step()
    assert out.create[0].deadline is not None
    sim.now += dt.timedelta(seconds=6)
    out = sim.step()
    assert [k.node_id for k in out.kill] == ["wf"]
    assert sim.node("wf")["message"] == "Step exceeded its deadline"
    assert sim.status["phase"] == "Failed"


def test_workflow_parallelism_limits_running_pods() -> None:
    sim = Sim(
        load("""
spec:
  entrypoint: main
  parallelism: 1
  templates:
  - name: main
    steps:
    - - {name: a, template: x}
      - {name: b, template: x}
      - {name: c, template: x}
  - name: x
    container: {image: alpine, command: [true]}
""")
    )
    out = sim.step()
    assert len(out.create) == 1
    sim.finish_running()
    out = sim.step()
    assert len(out.create) == 1
    assert sim.run()["phase"] == "Succeeded" and len(sim.requests) == 3


def test_stop_runs_exit_handler_terminate_does_not() -> None:
    for strategy, handler_runs in (("Stop", True), ("Terminate", False)):
        sim = Sim(
            load("""
spec:
  entrypoint: main
  onExit: handler
  templates:
  - name: main
    container: {image: alpine, command: [sleep, "100"]}
  - name: handler
    container: {image: alpine, command: [true]}
""")
        )
        sim.hold.add("main")
        sim.step()
        sim.wf["spec"]["shutdown"] = strategy
        status = sim.run()
        assert status["phase"] == "Failed"
        assert status["message"] == f"Stopped with strategy '{strategy}'"
        names = {n["name"] for n in status["nodes"].values()}
        assert ("wf.onExit" in names) is handler_runs
