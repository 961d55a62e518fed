# The team's JupyterHub for this workbook (`make hub`, or `draftbook hub serve`).
# The settings come from the command line that started it; the logic lives in draftbook/hub.py.
from draftbook.hub import configure

configure(c)  # noqa: F821 (c is JupyterHub's configuration object)
