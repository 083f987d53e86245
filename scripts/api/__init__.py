"""The HTTP API that ``python -m scripts.serve`` runs: predictions from the model pin and the
tables of the last build, read through ``scripts.board_read`` (the API writes nothing).

- ``scripts/api/app.py``: the app (vetiver's routes, ``/predict``, the tables' routes);
- ``scripts/api/model.py``: loading the model pin, its input rules, the one-row fast path;
- ``scripts/api/limits.py``: a request's size and time limits;
- ``scripts/api/tables.py``: ``GET /tables`` and ``GET /tables/<pin>``;
- ``scripts/api/runner.py``: sockets, the server, worker processes.
"""
