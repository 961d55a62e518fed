"""The bottom layer: paths, errors, the YAML files the team edits and their validation, vocabulary,
calls, rounds, membership, codebook, decisions, titles, text helpers. Imports nothing above it."""
