"""Fill Survivor.person from the confirmed decisions made before it existed.

The same rule as services._join_people, applied to every confirmed decision at once: survivors joined by confirmed
decisions (directly or through a chain) are one person, whose id is the lowest survivor id among them, held by
every one of them. A survivor no confirmed decision touches keeps person empty. The lowest id does not depend on the
order decisions were made in, so this gives exactly what deciding them one by one would have given.
"""

from django.db import migrations

CONFIRMED = "confirmed"  # models.Outcome.CONFIRMED, spelt out: migrations must not import the live models


def people_from_decisions(apps, schema_editor):
    MatchDecision = apps.get_model("repeats", "MatchDecision")
    Survivor = apps.get_model("people", "Survivor")
    parent: dict[int, int] = {}

    def root(survivor_id: int) -> int:
        while parent.setdefault(survivor_id, survivor_id) != survivor_id:
            parent[survivor_id] = parent[parent[survivor_id]]  # path halving keeps the chains short
            survivor_id = parent[survivor_id]
        return survivor_id

    pairs = MatchDecision.objects.filter(outcome=CONFIRMED).values_list("survivor_id", "earlier_survivor_id")
    for survivor_id, other_id in pairs.iterator(chunk_size=10_000):
        a, b = root(survivor_id), root(other_id)
        if a != b:
            parent[max(a, b)] = min(a, b)  # the lower id always wins, so each root is its set's lowest id
    members: dict[int, list[int]] = {}
    for survivor_id in parent:
        members.setdefault(root(survivor_id), []).append(survivor_id)
    for person, survivors in members.items():
        Survivor.objects.filter(pk__in=survivors).update(person_id=person)


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0002_survivor_person"),
        ("repeats", "0001_initial"),
    ]

    operations = [migrations.RunPython(people_from_decisions, migrations.RunPython.noop)]
