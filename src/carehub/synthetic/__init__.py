"""Deterministic synthetic data for the demo, the tests and the benchmarks: plain Python, no Django, no database.

- london.py: the fictional organisations, services and contracts; census.py (data/census_...json, derived once by
  derive_census.py): borough populations and their ethnic mix;
- heritage.py: names, streets, languages and religions by heritage; population.py: survivors drawn from the census
  and the heritages; timeline.py: arrivals and repeat referrals; sampling.py: the seeded draws they share;
- linkage_records.py: labelled records of the same people written differently, for record linkage;
- extracts.py: referral extracts with the schema `carehub extract` writes, for the analysis engine; demand.py:
  monthly demand with planted surges, tournaments and a recording break, and referral extracts built on it, for
  the commissioning analysis;
- directory.py, intake.py, risk.py, routing.py, pathway.py, outcomes.py: the demo's services as arrays, and each
  referral's intake, DASH answers, route, path through offers and cases, and outcome measures; staff.py: the
  hub's and services' staff around the seeder's personas;
- codes.py: the hub's codes the generators write, as plain enums.
carehub.demo turns the generators' draws into database rows (`carehub seed`); nothing else in the package imports
this one (.importlinter, contract 6).
"""
