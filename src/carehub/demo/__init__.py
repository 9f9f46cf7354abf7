"""The database seeder for the demo, the tests and the benchmarks (`carehub seed`): synthetic London, written.

The draws that do not need a database live in carehub.synthetic (London's organisations, the census, heritages,
survivors, the timeline, the directory, intake and risk, routing, pathway, outcomes, staff); this package adds what
speaks the hub's models, in order:
- personas.py: the demo sign-ins;
- plan.py: the whole data set as numpy arrays, from one seed, put together from synthetic's generators (timeline,
  population, directory, staff, intake and risk, routing, pathway: triage, offers, cases and statuses at the end
  date; outcomes), its reference numbers and, with planted.py, the duration simulator's known effect (which is
  insight's, so it stays here: synthetic imports no other part of Care Hub);
- identities.py: survivors' identities and linkage keys, sealed under their data keys (people's crypto);
- services.py: writes a plan (load.py, writer.py: COPY on PostgreSQL, executemany on SQLite), sealing identities
  on worker processes (identities.py), with one audit event for the whole load.
Same seed, same data: every value but the ciphertext (which must differ: fresh keys, fresh IVs).
"""
