"""The page benchmark of issue 17 (`make bench`): what each main page and export
costs on a generated trust (demo.trust), against a hand-written SQL floor.
scripts/bench.py creates the database, runs these and writes docs/performance.md."""
