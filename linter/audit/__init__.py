"""``medperf-lint audit``: lint what a MedPerf server already holds, and remember the verdicts.

- :mod:`.entities` turns the server's JSON into bodies the engine lints, each naming its entity;
- :mod:`.credentials` finds the token (environment, a file, the MedPerf client's login);
- :mod:`.history` keeps every run's verdicts in SQLite and says what changed;
- :mod:`.run` ties them together; :mod:`.command` is the command line.
"""
