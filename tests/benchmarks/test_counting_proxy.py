"""The side-by-side benchmark's byte counts are only as good as its proxy: known payloads through
it, both ways, over kept-alive and new connections, must be counted exactly."""

from __future__ import annotations

import socket
import threading

from tests.benchmarks.counting_proxy import CountingProxy, Counts


def _echo_server() -> tuple[socket.socket, threading.Thread]:
    """Answers each message with twice as many bytes, until the client closes."""
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                while data := conn.recv(65536):
                    conn.sendall(data * 2)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return listener, thread


def _exchange(conn: socket.socket, payload: bytes) -> bytes:
    conn.sendall(payload)
    got = b""
    while len(got) < 2 * len(payload):
        got += conn.recv(65536)
    return got


def test_counts_bytes_each_way_and_connections() -> None:
    listener, _ = _echo_server()
    try:
        with CountingProxy(listener.getsockname()[1]) as proxy:
            start = proxy.counts()
            big = bytes(range(256)) * 1000  # more than one read's worth
            with socket.create_connection(("127.0.0.1", proxy.port)) as conn:
                assert _exchange(conn, b"hello") == b"hellohello"
                assert _exchange(conn, big) == big * 2
            with socket.create_connection(("127.0.0.1", proxy.port)) as conn:
                assert _exchange(conn, b"x" * 10) == b"x" * 20
            sent = 5 + len(big) + 10
            assert proxy.counts() - start == Counts(up=sent, down=2 * sent, connections=2)
    finally:
        listener.close()
