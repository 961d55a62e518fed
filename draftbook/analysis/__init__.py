"""Measures of a round: support and consensus (``measures``), comment coding (``coding``), weighing the
calls (``weighing``), lineage of the calls between rounds (``lineage``). Imports the model only."""
