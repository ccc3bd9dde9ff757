"""`make bench`: the performance figures of the project, measured on this machine.

Benchmarks are measurements with targets, printed as one table and written to
`bench/results.json`; tests never assert on time.
"""
