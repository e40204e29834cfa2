"""The street hub (街道): every community of a street on PostgreSQL (issue 15).

For each community the hub is one more station: it joins with the community key, has
its own station id and prefix, and runs the stations' own write path, merge and digest
over the same models, pointed at PostgreSQL (:mod:`models.pg`), one schema per community.
``database`` opens and switches; ``files`` moves bundles by file; ``tokens`` and
``network`` serve bundles over HTTP.
"""
