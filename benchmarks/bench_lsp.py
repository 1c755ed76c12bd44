"""Benchmark the language server as an editor drives it (a plain JSON-RPC client over stdio).

    python benchmarks/bench_lsp.py [--edits 200] [--queries 100] [--projects 334]

1. A 500-line script and its MLproject are opened; 200 single-character edits are made to the
   script (incremental didChange, one at a time, as typing does); for each, the time from
   sending ``didChange`` to receiving ``publishDiagnostics`` for that version.
2. Hover (on a click option, a ``call_task``, an MLproject parameter) and completion (``--flags``
   in the MLproject, keywords inside ``call_task(``) latency.
3. Resident memory (VmRSS) of the server with a workspace of >= 1000 entry points open: every
   MLproject of ``--projects`` generated projects (3 entry points each) opened and linted.

Prints a markdown table (targets from the issue: edit->diagnostics p95 <= 30 ms, hover and
completion p95 <= 20 ms, memory <= 300 MB).
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate, mlproject, plugin, script  # noqa: E402

CAPABILITIES = {   # a push-only client (like Neovim 0.9 / Emacs eglot)
    "textDocument": {"publishDiagnostics": {"relatedInformation": True, "versionSupport": True},
                     "hover": {"contentFormat": ["markdown", "plaintext"]},
                     "completion": {"completionItem": {"snippetSupport": False}},
                     "synchronization": {"didSave": True}},
    "workspace": {"configuration": False},
    "general": {"positionEncodings": ["utf-16"]},
}


class Client:
    def __init__(self, cmd: list[str]) -> None:
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL)
        self.next_id = 0
        self.responses: dict[int, queue.Queue] = {}
        self.diagnostics: "queue.Queue[tuple[float, dict]]" = queue.Queue()
        self.lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        stream = self.proc.stdout
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    return
                line = line.strip()
                if not line:
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            msg = json.loads(stream.read(length))
            now = time.perf_counter()
            if "id" in msg and "method" not in msg:
                q = self.responses.get(msg["id"])
                if q is not None:
                    q.put(msg)
            elif msg.get("method") == "textDocument/publishDiagnostics":
                self.diagnostics.put((now, msg["params"]))
            elif "id" in msg and "method" in msg:      # a server->client request: answer null
                self._send({"jsonrpc": "2.0", "id": msg["id"], "result": None})

    def _send(self, msg: dict) -> None:
        body = json.dumps(msg).encode()
        with self.lock:
            self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
            self.proc.stdin.flush()

    def notify(self, method: str, params) -> None:
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method: str, params, timeout: float = 120.0):
        self.next_id += 1
        rid = self.next_id
        q: queue.Queue = queue.Queue()
        self.responses[rid] = q
        self._send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        msg = q.get(timeout=timeout)
        del self.responses[rid]
        if "error" in msg:
            raise RuntimeError(msg["error"])
        return msg.get("result")

    def wait_diagnostics(self, uri: str, version: int | None, timeout: float = 120.0):
        deadline = time.monotonic() + timeout
        while True:
            t, params = self.diagnostics.get(timeout=max(0.001, deadline - time.monotonic()))
            if params["uri"] == uri and (version is None or params.get("version") == version):
                return t, params

    def open(self, path: Path, text: str, version: int = 1) -> str:
        uri = path.as_uri()
        self.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "python" if path.suffix == ".py" else "yaml",
            "version": version, "text": text}})
        return uri

    def rss_mb(self) -> float:
        with open(f"/proc/{self.proc.pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return float("nan")

    def close(self) -> None:
        try:
            self.request("shutdown", None, timeout=10)
            self.notify("exit", None)
            self.proc.wait(timeout=10)
        except Exception:  # noqa: BLE001
            self.proc.kill()


def start(root: Path) -> Client:
    client = Client([sys.executable, "-m", "dioptra_lsp.server"])
    client.request("initialize", {"processId": os.getpid(), "rootUri": root.as_uri(),
                                  "capabilities": CAPABILITIES})
    client.notify("initialized", {})
    return client


def big_script(lines_wanted: int = 500) -> str:
    lines = script(0).split("\n")
    tail = lines.index('if __name__ == "__main__":') - 1
    body, end = lines[:tail], lines[tail:]
    while len(body) + len(end) < lines_wanted:
        n = len(body)
        body += [f"def helper_{n}(value):", f'    """Helper {n}."""', f"    return value * {n}", "", ""]
    return "\n".join((body + end)[:max(lines_wanted, len(end))])


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


def position(text: str, needle: str, offset: int = 0, nth: int = 0) -> dict:
    i = -1
    for _ in range(nth + 1):
        i = text.index(needle, i + 1)
    i += offset
    line = text.count("\n", 0, i)
    return {"line": line, "character": i - (text.rfind("\n", 0, i) + 1)}


def bench_editing(root: Path, edits: int, queries: int) -> dict:
    folder = root / "single"
    (folder / "src").mkdir(parents=True)
    area = folder / "bench_plugins" / "area"
    area.mkdir(parents=True)
    for m in range(4):
        (area / f"mod{m}.py").write_text(plugin(m))
    ml_text = mlproject(0)
    (folder / "MLproject").write_text(ml_text)
    text = big_script(500)
    spath = folder / "src" / "run_0.py"
    spath.write_text(text)
    n_lines = text.count("\n") + 1
    client = start(folder)
    try:
        ml_uri = client.open(folder / "MLproject", ml_text)
        client.wait_diagnostics(ml_uri, 1)
        s_uri = client.open(spath, text)
        client.wait_diagnostics(s_uri, 1)
        # Edits in a helper's docstring line near the end of the file: insert, then delete.
        target = text.split("\n").index(next(l for l in text.split("\n")[::-1] if '"""Helper' in l))
        col = len(text.split("\n")[target]) - 3
        latencies = []
        for i in range(edits):
            version = i + 2
            if i % 2 == 0:
                change = {"range": {"start": {"line": target, "character": col},
                                    "end": {"line": target, "character": col}}, "text": "x"}
            else:
                change = {"range": {"start": {"line": target, "character": col},
                                    "end": {"line": target, "character": col + 1}}, "text": ""}
            t0 = time.perf_counter()
            client.notify("textDocument/didChange", {"textDocument": {"uri": s_uri, "version": version},
                                                     "contentChanges": [change]})
            t1, _ = client.wait_diagnostics(s_uri, version)
            latencies.append((t1 - t0) * 1000)
        hovers, completions = [], []
        hover_points = [(s_uri, position(text, '"--p3"', 3)), (s_uri, position(text, "call_task(", 2, nth=5)),
                        (ml_uri, position(ml_text, "p2: {", 1)), (ml_uri, position(ml_text, "{p4}", 2))]
        for i in range(queries):
            uri, pos = hover_points[i % len(hover_points)]
            t0 = time.perf_counter()
            result = client.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": pos})
            hovers.append((time.perf_counter() - t0) * 1000)
            assert result is not None, (uri, pos)
        # completion: `--` on a new command line of the MLproject; keywords inside call_task(
        ml2 = ml_text.replace("      --p7 {p7}\n", "      --p7 {p7}\n      --\n", 1)
        client.notify("textDocument/didChange", {"textDocument": {"uri": ml_uri, "version": 2},
                                                 "contentChanges": [{"text": ml2}]})
        client.wait_diagnostics(ml_uri, 2)
        comp_points = [(ml_uri, position(ml2, "      --\n", 8)),
                       (s_uri, position(text, "scale=p", 0, nth=3))]
        for i in range(queries):
            uri, pos = comp_points[i % len(comp_points)]
            t0 = time.perf_counter()
            result = client.request("textDocument/completion", {"textDocument": {"uri": uri}, "position": pos})
            completions.append((time.perf_counter() - t0) * 1000)
            items = result["items"] if isinstance(result, dict) else result
            assert items, (uri, pos)
        return {"lines": n_lines, "edit": latencies, "hover": hovers, "completion": completions,
                "rss_small": client.rss_mb(), "floor": engine_floor(folder, spath, text, target, col, edits)}
    finally:
        client.close()


def engine_floor(folder: Path, spath: Path, text: str, line: int, col: int, edits: int) -> list[float]:
    """The same edits linted in-process by ``engine.analyse`` (what the server cannot go below)."""
    from dioptra_lsp.config import resolve_settings
    from dioptra_lsp.engine import analyse
    from dioptra_lsp.lsp.state import Overlay, norm

    mlp = norm(folder / "MLproject")
    settings = resolve_settings(folder)
    lines = text.split("\n")
    out = []
    for i in range(edits):
        changed = list(lines)
        if i % 2 == 0:
            changed[line] = changed[line][:col] + "x" + changed[line][col:]
        overlay = Overlay({norm(spath): "\n".join(changed)})
        t0 = time.perf_counter()
        analyse(mlp, settings, overlay)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def bench_memory(root: Path, projects: int) -> dict:
    ws = generate(root / "workspace", projects)
    client = start(ws)
    try:
        base = client.rss_mb()
        uris = []
        t0 = time.perf_counter()
        for folder in sorted(ws.iterdir()):
            path = folder / "MLproject"
            uris.append(client.open(path, path.read_text()))
        pending = set(uris)
        while pending:
            _, params = client.wait_diagnostics(None, None) if False else client.diagnostics.get(timeout=300)
            pending.discard(params["uri"])
        seconds = time.perf_counter() - t0
        return {"entry_points": 3 * projects, "projects": projects, "rss": client.rss_mb(),
                "rss_start": base, "open_all_s": seconds}
    finally:
        client.close()


def bench_one_big_mlproject(root: Path, entry_points: int) -> dict:
    """One MLproject with ``entry_points`` entry points, all running the same 500-line script."""
    folder = root / "big"
    (folder / "src").mkdir(parents=True)
    area = folder / "bench_plugins" / "area"
    area.mkdir(parents=True)
    for m in range(4):
        (area / f"mod{m}.py").write_text(plugin(m))
    (folder / "src" / "run_0.py").write_text(big_script(500))
    one = mlproject(0).split("entry_points:\n", 1)[1].split("  infer:")[0]
    eps = "".join(one.replace("  train:", f"  ep{i}:", 1) for i in range(entry_points))
    text = "name: big\n\nentry_points:\n" + eps
    (folder / "MLproject").write_text(text)
    client = start(folder)
    try:
        t0 = time.perf_counter()
        uri = client.open(folder / "MLproject", text)
        client.wait_diagnostics(uri, 1, timeout=600)
        first = time.perf_counter() - t0
        t0 = time.perf_counter()
        client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2},
                                                 "contentChanges": [{"text": text + "#"}]})
        client.wait_diagnostics(uri, 2, timeout=600)
        return {"rss": client.rss_mb(), "first_s": first, "edit_s": time.perf_counter() - t0}
    finally:
        client.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--edits", type=int, default=200)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--projects", type=int, default=334, help="3 entry points each")
    parser.add_argument("--big", type=int, default=1000, help="entry points of the one-file case")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="dioptra-lsp-bench-") as tmp:
        root = Path(tmp)
        edit = bench_editing(root, args.edits, args.queries)
        mem = bench_memory(root, args.projects)
        big = bench_one_big_mlproject(root, args.big)
    e, h, c, f = edit["edit"], edit["hover"], edit["completion"], edit["floor"]
    rows = [
        ("same edits, `engine.analyse` alone in-process (floor)", f"{statistics.median(f):.1f} ms",
         f"{pct(f, 95):.1f} ms", "", None),
        (f"didChange -> diagnostics, {edit['lines']}-line script ({len(e)} edits)",
         f"{statistics.median(e):.1f} ms", f"{pct(e, 95):.1f} ms", "p95 <= 30 ms", pct(e, 95) <= 30),
        (f"hover ({len(h)} requests)", f"{statistics.median(h):.1f} ms", f"{pct(h, 95):.1f} ms",
         "p95 <= 20 ms", pct(h, 95) <= 20),
        (f"completion ({len(c)} requests)", f"{statistics.median(c):.1f} ms", f"{pct(c, 95):.1f} ms",
         "p95 <= 20 ms", pct(c, 95) <= 20),
        (f"resident memory, {mem['entry_points']} entry points open ({mem['projects']} MLprojects)",
         f"{mem['rss']:.0f} MB", "", "<= 300 MB", mem["rss"] <= 300),
        (f"resident memory, one MLproject with {args.big} entry points open",
         f"{big['rss']:.0f} MB", "", "<= 300 MB", big["rss"] <= 300),
    ]
    print("| measurement | median | p95 | target | met |")
    print("|---|---|---|---|---|")
    for name, med, p95, target, ok in rows:
        print(f"| {name} | {med} | {p95} | {target} | {'' if ok is None else 'yes' if ok else 'NO'} |")
    print()
    print(f"(server RSS after start {mem['rss_start']:.0f} MB; after the single-project session "
          f"{edit['rss_small']:.0f} MB; opening and linting all {mem['projects']} MLprojects took "
          f"{mem['open_all_s']:.1f} s; the {args.big}-entry-point MLproject: first diagnostics "
          f"{big['first_s']:.1f} s, after an edit {big['edit_s'] * 1000:.0f} ms; Python {sys.version.split()[0]}, {os.cpu_count()} CPUs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
