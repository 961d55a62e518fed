"""Regenerating the book: Papermill runs and their cache (``pipeline``), the per-language stage
(``stage``), translations, vendored scripts, jupyter-book builds (``build``), the site's security and
accessibility rewrites (``site``), publishing (``publish``) and the Word statement (``statement``)."""
