"""The processing layer: raw LTER penguin observations to a versioned pins board.

One module per pipeline step (``ingest`` → ``validate`` → ``clean`` → ``summarize``
→ ``train``), the SQL each runs in ``scripts/sql/``, and ``build`` as the command
that runs them and writes the board (``board``).
"""
