"""``dioptra-lsp``: the language server for Dioptra / MLflow entry points (pygls 2).

stdio by default; ``--tcp HOST:PORT`` or ``--ws [HOST:PORT]`` for a socket.  ``dioptra-lint
server`` is an alias.  The heavy imports (pygls, lsprotocol) happen here, never on the
``dioptra-lint check`` path.
"""

from __future__ import annotations

import argparse
import logging
import sys


def _host_port(text: str, default_port: int) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep:
        return (text or "127.0.0.1"), default_port
    try:
        return (host or "127.0.0.1"), int(port)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, got {text!r}") from None


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="dioptra-lsp", description="Language server for Dioptra / MLflow entry points.")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--stdio", action="store_true", help="talk over stdin/stdout (the default)")
    mode.add_argument("--tcp", metavar="HOST:PORT", type=lambda t: _host_port(t, 2087),
                      help="listen on a TCP socket")
    mode.add_argument("--ws", metavar="HOST:PORT", nargs="?", const="127.0.0.1:2087",
                      type=lambda t: _host_port(t, 2087) if isinstance(t, str) else t,
                      help="listen for a WebSocket client (needs the `websockets` package)")
    parser.add_argument("--log-file", help="write the server's own log here")
    parser.add_argument("-v", "--verbose", action="count", default=0)
    parser.add_argument("--version", action="version", version=f"dioptra-lsp {__version__}")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    level = logging.WARNING - 10 * min(args.verbose, 2)
    if args.log_file:
        logging.basicConfig(filename=args.log_file, level=level,
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    else:
        logging.basicConfig(stream=sys.stderr, level=level, format="%(levelname)s %(name)s: %(message)s")
    if args.ws is not None:
        ws = args.ws if isinstance(args.ws, tuple) else _host_port(args.ws, 2087)
        try:
            import websockets  # noqa: F401
        except ImportError:
            print("dioptra-lsp: --ws needs the `websockets` package (pip install 'pygls[ws]')",
                  file=sys.stderr)
            return 2
    try:
        from .lsp.handlers import create_server
    except ImportError as err:   # a broken install: one line, not a traceback
        print(f"dioptra-lsp: the language server cannot start: {err}; reinstall dioptra-lint "
              f"(pygls, lsprotocol and libcst are among its dependencies)", file=sys.stderr)
        return 2
    server = create_server()
    _tune_gc()
    if args.tcp:
        server.start_tcp(*args.tcp)
    elif args.ws is not None:
        server.start_ws(*ws)
    else:
        server.start_io()
    return 0


def _tune_gc() -> None:
    """Keystroke latency: each analysis allocates many short-lived objects; with the default
    thresholds a collection of the older generations (which hold the models of every open
    project) lands in the middle of an edit every few keystrokes.  Move everything alive at
    start-up out of the collector's sight and collect the young generation less often."""
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


if __name__ == "__main__":
    sys.exit(main())
