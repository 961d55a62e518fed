"""jupyter-book's own command line, started without a grammar nobody here uses.

jsonschema (which jupyter-book and nbformat import) imports ``rfc3987_syntax``
when it is installed, only to check the "iri" formats of a schema, and that
package compiles 38 Lark grammars at import: about 1.1 s of every process on
this machine (``python -X importtime``), paid by each of the three books'
builds. Neither jupyter-book's configuration schema nor a notebook's uses those
formats; jsonschema imports the package inside ``suppress(ImportError)``, so
marking it absent only skips the grammar.

    python -m draftbook.book.jupyter_book_cli build STAGE --path-output OUT
"""

from __future__ import annotations

import sys


def skip_unused_grammars() -> None:
    """Make ``import rfc3987_syntax`` fail fast in this process (jsonschema then leaves "iri" unchecked)."""
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


if __name__ == "__main__":
    skip_unused_grammars()
    from jupyter_book.cli.main import main

    main()
