"""The language server's parts: small feature modules over the shared model and engine.

Only ``dioptra_lsp.server`` and the modules here import pygls/lsprotocol; the ``check`` path
never does.
"""
