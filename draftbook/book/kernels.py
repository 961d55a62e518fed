"""The kernel the build's notebooks run in: Jupyter's, over Unix sockets (imported only when a notebook runs)."""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from jupyter_core.paths import jupyter_runtime_dir
from traitlets import Unicode, default


class IpcKernelManager(AsyncKernelManager):  # type: ignore[misc]
    """A kernel that talks over Unix sockets named after its own connection file.

    With TCP, the parent picks free ports and the kernel binds them later; two
    kernels started at the same moment can pick the same port and one dies
    ("Address already in use"). Socket files named per kernel cannot collide.
    """

    transport = Unicode("ipc")

    @default("ip")
    def _ip_default(self) -> str:
        # An absolute, per-kernel prefix: the kernel runs in notebooks/, we do not.
        # A Unix socket path must stay under ~100 bytes; a deep runtime folder falls back to /tmp.
        runtime = Path(jupyter_runtime_dir())
        if len(str(runtime)) > 60:
            runtime = Path(tempfile.gettempdir())
        runtime.mkdir(parents=True, exist_ok=True)
        return str(runtime / f"draftbook-{uuid.uuid4().hex[:12]}")
