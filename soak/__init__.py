"""`make soak`: the whole system under load, faults and killed workers, reported as one JSON object.

Setup (started here, all torn down at the end): a fresh PostgreSQL database on the server DATABASE_URL names (`make
soak` starts a throwaway server and Redis through `.ci/services`), the sandbox, the web server, two worker clusters
(`manage.py supervise_worker`, two django-q2 workers each, as two machines would run them) sharing Redis.

Load: activities and enrollment changes for many reps POSTed one event at a time at a steady rate, a burst in one go
halfway through, and inbound sync ticking throughout (incremental every minute). Faults: the sandbox fails a share of
the data-API calls across kinds (soak/destinations.py), one rep's token is revoked and the rep reconnects later, and
a chaos loop SIGKILLs a worker process or a whole cluster at a fixed period; the product's own machinery (the
django-q2 sentinel, `supervise_worker`, the writeback ledger) must bring them back.

Every figure is counted from the outcome: what the sandbox holds (duplicates, Tasks that really exist) and what our
ledger says about each acknowledged event (written, failed with a reason, or lost). soak/report.py defines them.

Modules: config (sizes and knobs), settings (Django settings of every soak process), services (database, processes,
chaos), load (events and the poster), destinations (one class per provider: org setup, faults, remote counts; today
Salesforce, Salesloft and Outreach plug in there), report (the figures), run (the timeline).
"""
