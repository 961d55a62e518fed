# The team's JupyterHub for this workbook (`make hub`, or `draftbook hub serve`).
# The settings come from the command line that started it; the logic lives in draftbook/hub.py.
from draftbook.hub import configure

settings = configure(c)  # noqa: F821 (c is JupyterHub's configuration object)

# The organisation's own additions (an OAuth sign-in, its keys): a jupyterhub_config.py in the
# hub's private state folder, read last, never in the repository.
extra = settings.state / "jupyterhub_config.py"
if extra.is_file():
    load_subconfig(str(extra))  # noqa: F821 (given to configuration files by traitlets)
