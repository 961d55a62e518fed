"""What readers see: charts, tables and the sections of the round pages (``report``), the word diffs,
the display objects and the weighing widgets. Imports the model and the analysis."""
