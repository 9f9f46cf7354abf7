"""The database seeder for the demo, the tests and the benchmarks (`carehub seed`): synthetic London, written.

The draws that do not need a database live in carehub.synthetic (London's organisations, the census, heritages,
survivors, the timeline); this package adds what speaks the hub's models, in order:
- personas.py: the demo sign-ins;
- plan.py: the whole data set as numpy arrays, from one seed: synthetic's timeline and population (survivors),
  intake.py and risk.py (what each referral says), routing.py, pathway.py (triage, offers, cases, statuses at the end
  date), outcomes.py, staff.py, directory.py;
- services.py: writes a plan (load.py, writer.py: COPY on PostgreSQL, executemany on SQLite), sealing identities
  on worker processes (identities.py), with one audit event for the whole load.
Same seed, same data: every value but the ciphertext (which must differ: fresh keys, fresh IVs).
"""
