"""Small misbehaving servers on 127.0.0.1 for error paths real storage servers can't be made to show.

``dropping_server`` accepts connections and closes them at once; ``scripted_http_server`` answers
every request with what a function decides (a 507, a redirect elsewhere, a 503) and records it;
``answer_losing_proxy`` forwards to a real server but cuts the connection of one chosen request
after the server got it and before its answer comes back.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

JOIN_TIMEOUT = 5.0


@dataclass
class Seen:
    """What a test server saw: accepted connections and (for HTTP) ``(method, path, headers)``."""

    connections: int = 0
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


@contextlib.contextmanager
def dropping_server() -> Iterator[tuple[int, Seen]]:
    seen = Seen()
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            with seen.lock:
                seen.connections += 1
            connection.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1], seen
    finally:
        stop.set()
        thread.join(JOIN_TIMEOUT)
        listener.close()


Reply = tuple[int, dict[str, str], bytes]


@contextlib.contextmanager
def scripted_http_server(answer: Callable[[str, str], Reply]) -> Iterator[tuple[int, Seen]]:
    """An HTTP server whose every answer is ``answer(method, path)``."""
    seen = Seen()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            return None

        def handle_one_request(self) -> None:
            self.raw_requestline = self.rfile.readline(65537)
            if not self.raw_requestline or not self.parse_request():
                self.close_connection = True
                return
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            with seen.lock:
                seen.requests.append((self.command, self.path, dict(self.headers.items())))
            status, headers, body = answer(self.command, self.path)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join(JOIN_TIMEOUT)


@contextlib.contextmanager
def answer_losing_proxy(target_port: int, trigger: bytes) -> Iterator[tuple[int, Seen]]:
    """Forward to ``target_port``; the first request starting with ``trigger`` arrives but its answer is lost."""
    seen = Seen()
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    stop = threading.Event()
    lost = threading.Event()
    workers: list[threading.Thread] = []
    sockets: list[socket.socket] = []

    def relay(client: socket.socket) -> None:
        server = socket.create_connection(("127.0.0.1", target_port), timeout=30)
        sockets.append(server)
        client.settimeout(30)
        muted = threading.Event()

        def back() -> None:
            with contextlib.suppress(OSError):
                while data := server.recv(65536):
                    if muted.is_set():
                        break
                    client.sendall(data)
            for end in (client, server):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)

        backward = threading.Thread(target=back, daemon=True)
        backward.start()
        with contextlib.suppress(OSError):
            while data := client.recv(65536):
                with seen.lock:
                    if data.startswith(trigger) and not lost.is_set():
                        lost.set()
                        muted.set()
                        seen.requests.append(("LOST", trigger.decode(errors="replace"), {}))
                server.sendall(data)
        with contextlib.suppress(OSError):
            server.shutdown(socket.SHUT_RDWR)
        backward.join(JOIN_TIMEOUT)
        client.close()
        server.close()

    def serve() -> None:
        while not stop.is_set():
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            with seen.lock:
                seen.connections += 1
            sockets.append(client)
            worker = threading.Thread(target=relay, args=(client,), daemon=True)
            workers.append(worker)
            worker.start()

    acceptor = threading.Thread(target=serve, daemon=True)
    acceptor.start()
    try:
        yield listener.getsockname()[1], seen
    finally:
        stop.set()
        acceptor.join(JOIN_TIMEOUT)
        listener.close()
        for end in sockets:
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
        for worker in workers:
            worker.join(JOIN_TIMEOUT)
