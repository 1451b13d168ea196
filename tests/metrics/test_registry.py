"""The shared Prometheus registry: exposition text, labels, types, shared and separate registries."""

from __future__ import annotations

import threading

import pytest

from pinnace.metrics import Registry, render


def test_counter_gauge_summary_render_in_declaration_order_with_sorted_series() -> None:
    reg = Registry()
    sent = reg.counter("x_sent_total", "Sent.", ("ns", "name"))
    live = reg.gauge("x_live", "Live.")
    took = reg.summary("x_millis", "Took.", ("name",))
    sent.inc("b", "two")
    sent.inc("a", "one", amount=2)
    live.inc()
    live.inc()
    live.dec()
    took.observe(1.5, "q")
    took.observe(2.0, "q")
    assert reg.render() == (
        "# HELP x_sent_total Sent.\n# TYPE x_sent_total counter\n"
        'x_sent_total{ns="a",name="one"} 2\nx_sent_total{ns="b",name="two"} 1\n'
        "# HELP x_live Live.\n# TYPE x_live gauge\nx_live 1\n"
        '# HELP x_millis Took.\n# TYPE x_millis summary\nx_millis_sum{name="q"} 3.5\nx_millis_count{name="q"} 2\n'
    )
    assert sent.get("a", "one") == 2 and took.count("q") == 2 and took.sum("q") == 3.5


def test_label_values_are_escaped_and_label_count_is_checked() -> None:
    reg = Registry()
    c = reg.counter("esc_total", "E.", ("v",))
    c.inc('a"b\\c\nd')
    assert 'esc_total{v="a\\"b\\\\c\\nd"} 1' in reg.render()
    with pytest.raises(ValueError, match=r"esc_total takes labels \['v'\]"):
        c.inc("a", "b")
    with pytest.raises(ValueError, match="only goes up"):
        c.inc("a", amount=-1)


def test_histogram_buckets_are_cumulative_with_inf() -> None:
    reg = Registry()
    h = reg.histogram("lat_seconds", "Latency.", ("op",), buckets=(0.1, 1.0))
    for v in (0.05, 0.5, 5.0):
        h.observe(v, "get")
    text = reg.render()
    assert 'lat_seconds_bucket{op="get",le="0.1"} 1\n' in text
    assert 'lat_seconds_bucket{op="get",le="1"} 2\n' in text
    assert 'lat_seconds_bucket{op="get",le="+Inf"} 3\n' in text
    assert 'lat_seconds_sum{op="get"} 5.55\nlat_seconds_count{op="get"} 3\n' in text
    assert "# TYPE lat_seconds histogram" in text


def test_declaring_again_shares_the_family_and_a_clash_is_refused() -> None:
    reg = Registry()
    first = reg.counter("shared_total", "S.", ("a",))
    assert reg.counter("shared_total", "S.", ("a",)) is first
    with pytest.raises(ValueError, match="already registered as a counter"):
        reg.gauge("shared_total", "S.", ("a",))
    with pytest.raises(ValueError, match="already registered"):
        reg.counter("shared_total", "S.", ("b",))


def test_separate_registries_count_apart_and_render_together() -> None:
    one, two = Registry(), Registry()
    one.counter("n_total", "N.").inc()
    two.counter("m_total", "M.").inc(amount=3)
    assert "n_total 1" in one.render() and "n_total" not in two.render()
    assert render(one, two) == one.render() + two.render()
    assert Registry().render() == ""


def test_gauge_replace_drops_series_that_are_gone() -> None:
    reg = Registry()
    g = reg.gauge("objs", "Objects.", ("kind",))
    g.replace({("A",): 1, ("B",): 2})
    g.replace({("B",): 3})
    assert 'objs{kind="A"}' not in reg.render() and 'objs{kind="B"} 3' in reg.render()


def test_counts_from_several_threads_are_not_lost() -> None:
    reg = Registry()
    c = reg.counter("t_total", "T.", ("k",))

    def work() -> None:
        for _ in range(2000):
            c.inc("x")

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert c.get("x") == 8000
