"""Deterministic synthetic London for the demo, the tests and the benchmarks (`carehub seed`).

How it is built, in order:
- london.py: the fictional organisations, services and contracts; personas.py: the demo sign-ins;
- census.py (data/census_...json, derived once by derive_census.py): borough populations and their ethnic mix;
- plan.py: the whole data set as numpy arrays, from one seed: timeline.py (arrivals, repeat referrals),
  population.py and heritage.py (survivors), intake.py and risk.py (what each referral says), routing.py,
  pathway.py (triage, offers, cases, statuses at the end date), outcomes.py, staff.py;
- services.py: writes a plan (load.py, writer.py: COPY on PostgreSQL, executemany on SQLite), sealing identities
  on worker processes (identities.py), with one audit event for the whole load.
Same seed, same data: every value but the ciphertext (which must differ: fresh keys, fresh IVs).
"""
