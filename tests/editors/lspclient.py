"""A minimal stdio JSON-RPC/LSP client for tests that stand in for an editor we cannot run.

It answers the server's requests the way the emulated editor does (``on_request``), records
notifications, and bounds every wait."""

from __future__ import annotations

import json
import queue
import subprocess
import threading
import time
from typing import Any, Callable


class LspClient:
    def __init__(self, argv: list[str], cwd: str, on_request: Callable[[str, Any], Any]):
        self.proc = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.on_request = on_request
        self.notifications: list[tuple[str, Any]] = []
        self.server_requests: list[tuple[str, Any]] = []
        self._responses: dict[int, queue.Queue] = {}
        self._next_id = 0
        self._lock = threading.Lock()
        self._changed = threading.Condition()
        self.stderr = b""
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._drain_stderr, daemon=True).start()

    # wire --------------------------------------------------------------------------------
    def _send(self, message: dict) -> None:
        body = json.dumps(message).encode("utf-8")
        with self._lock:
            self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
            self.proc.stdin.flush()

    def _drain_stderr(self) -> None:
        for chunk in iter(lambda: self.proc.stderr.read1(4096), b""):
            self.stderr += chunk

    def _read(self) -> None:
        out = self.proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.partition(b":")
                if name.lower() == b"content-length":
                    length = int(value)
            message = json.loads(out.read(length))
            if "id" in message and "method" in message:
                self.server_requests.append((message["method"], message.get("params")))
                try:
                    result = self.on_request(message["method"], message.get("params"))
                    self._send({"jsonrpc": "2.0", "id": message["id"], "result": result})
                except Exception as err:  # noqa: BLE001 - reported to the server
                    self._send({"jsonrpc": "2.0", "id": message["id"],
                                "error": {"code": -32601, "message": str(err)}})
            elif "id" in message:
                self._responses.setdefault(message["id"], queue.Queue()).put(message)
            else:
                with self._changed:
                    self.notifications.append((message["method"], message.get("params")))
                    self._changed.notify_all()

    # API ---------------------------------------------------------------------------------
    def request(self, method: str, params: Any, timeout: float) -> Any:
        with self._lock:
            self._next_id += 1
            rid = self._next_id
        box = self._responses.setdefault(rid, queue.Queue())
        self._send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        try:
            message = box.get(timeout=timeout)
        except queue.Empty:
            raise TimeoutError(f"no answer to {method} within {timeout}s; server stderr:\n"
                               f"{self.stderr.decode(errors='replace')[-3000:]}") from None
        if "error" in message:
            raise RuntimeError(f"{method} failed: {message['error']}")
        return message.get("result")

    def notify(self, method: str, params: Any) -> None:
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def wait_for(self, predicate: Callable[[str, Any], bool], timeout: float, what: str):
        end = time.monotonic() + timeout
        with self._changed:
            while True:
                for method, params in reversed(self.notifications):
                    if predicate(method, params):
                        return params
                left = end - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no {what} within {timeout}s; got "
                                       f"{[m for m, _ in self.notifications]}; server stderr:\n"
                                       f"{self.stderr.decode(errors='replace')[-3000:]}")
                self._changed.wait(left)

    def close(self, timeout: float = 5) -> None:
        try:
            if self.proc.poll() is None:
                self.request("shutdown", None, timeout)
                self.notify("exit", None)
                self.proc.wait(timeout)
        except Exception:  # noqa: BLE001 - killed below
            pass
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait(timeout)
