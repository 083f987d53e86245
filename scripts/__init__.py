"""The processing layer: raw LTER penguin observations to a versioned pins board.

One module per pipeline step, in the order ``build`` (the command) runs them:
``ingest`` (find, fetch) and ``hashing`` (the content hash) → ``validate`` (the gate)
→ ``clean`` → ``summarize`` → ``compare`` and ``added_data`` (against the last build)
→ ``train`` → ``board`` (write the pins all-or-nothing; ``board_read`` is its read
side). The SQL each runs is in ``scripts/sql/``; ``engines`` is where it runs
(DuckDB or Spark); ``dataset`` is the one description of the data; ``attempts`` the
log of every attempt; ``history`` and ``serve`` (the API in ``api/``) the other commands.
"""
