"""draftbook: a Jupyter workbook for drafting a policy paper with calls to action.

The package holds all the logic: loading and validating the draft calls and the
consultation rounds, analysing the tidy tables of each round, executing the
parameterised notebooks with Papermill and building the Jupyter Book.
"""

__version__ = "0.1.0"
