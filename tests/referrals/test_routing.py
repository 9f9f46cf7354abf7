"""Routing: hard rules exclude with a reason, the score ranks with a reason for every point."""

from __future__ import annotations

from dataclasses import replace

from carehub.referrals.routing import Need, ServiceFacts, load_services, rank

BASE = ServiceFacts(
    id=1,
    name="A",
    organisation="Org",
    service_type="idva",
    communities=frozenset(),
    languages=frozenset({"en"}),
    specialisms=frozenset(),
    covers_all_london=False,
    boroughs=frozenset({"E09000030"}),
    min_age=16,
    max_age=None,
    accepts_women=True,
    accepts_men=False,
    accepts_nrpf=True,
    capacity=40,
    open_cases=20,
    wait_days=10,
    accepting=True,
)
NEED = Need(borough="E09000030", needs=frozenset({"idva"}), age=30)


def test_hard_rules_exclude_with_reasons():
    services = [
        replace(BASE, id=2, accepting=False),
        replace(BASE, id=3, boroughs=frozenset({"E09000001"})),
        replace(BASE, id=4, service_type="refuge"),
        replace(BASE, id=5, min_age=18, max_age=25),
        replace(BASE, id=6, accepts_nrpf=False),
        replace(BASE, id=7, service_type="independent_advisory"),
    ]
    ranked, excluded = rank(replace(NEED, has_nrpf=True), services)
    assert ranked == []
    reasons = {e.service.id: " ".join(e.reasons) for e in excluded}
    assert "not accepting" in reasons[2]
    assert "Tower Hamlets" in reasons[3]
    assert "not asked for" in reasons[4]
    assert "age 30" in reasons[5]
    assert "No Recourse" in reasons[6]
    assert "police perpetrators" in reasons[7]


def test_a_requested_by_and_for_service_outranks_a_shorter_wait_elsewhere():
    by_and_for = replace(BASE, id=2, name="Kestrel", communities=frozenset({"black_minoritised"}), wait_days=30)
    quick = replace(BASE, id=3, name="Quick", wait_days=0, open_cases=0)
    ranked, _ = rank(replace(NEED, wants_by_and_for="black_minoritised"), [quick, by_and_for])
    assert [r.service.name for r in ranked] == ["Kestrel", "Quick"]
    assert any("led by and for Black and minoritised women" in reason for reason in ranked[0].reasons)
    assert any("not led by and for" in reason for reason in ranked[1].reasons)


def test_without_a_by_and_for_wish_the_shorter_wait_wins():
    by_and_for = replace(BASE, id=2, name="Kestrel", communities=frozenset({"black_minoritised"}), wait_days=30)
    quick = replace(BASE, id=3, name="Quick", wait_days=0)
    ranked, _ = rank(NEED, [by_and_for, quick])
    assert ranked[0].service.name == "Quick"


def test_language_and_capacity_count_and_every_point_has_a_reason():
    speaks = replace(BASE, id=2, name="Speaks", languages=frozenset({"so"}))
    full = replace(BASE, id=3, name="Full", languages=frozenset({"so"}), open_cases=40)
    ranked, _ = rank(replace(NEED, language="so"), [full, BASE, speaks])
    assert ranked[0].service.name == "Speaks"
    assert ranked[-1].service.name in {"Full", "A"}
    for entry in ranked:
        assert entry.reasons and all(r[0] in "+-" for r in entry.reasons)
    full_entry = next(r for r in ranked if r.service.name == "Full")
    assert any(r.startswith("-10: full") for r in full_entry.reasons)


def test_men_are_routed_only_to_services_that_accept_men():
    for_men = replace(BASE, id=2, name="Men", accepts_men=True)
    ranked, excluded = rank(replace(NEED, is_man=True), [BASE, for_men])
    assert [r.service.name for r in ranked] == ["Men"]
    assert "women only" in excluded[0].reasons[0]


def test_order_is_stable_and_positions_are_numbered():
    services = [replace(BASE, id=i, name=f"S{i:02d}") for i in range(10)]
    ranked, _ = rank(NEED, services)
    assert [r.position for r in ranked] == list(range(1, 11))
    assert [r.service.name for r in ranked] == sorted(r.service.name for r in ranked)


def test_load_services_counts_open_cases(world):
    facts = {f.id: f for f in load_services()}
    solace = facts[world.services["solace"].pk]
    assert solace.open_cases == 1
    assert solace.organisation == "Quaymarsh Women's Service"
