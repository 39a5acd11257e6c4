#!/usr/bin/python3
"""Demo chat backend for wsgate: every line is sent to everyone.

usage: chat-backend.py SOCKET_PATH

Put it behind a route with framing = lines: each WebSocket session is
one connection to this socket, each client message arrives as one line,
and every line read from any connection is written to every connection,
the sender's included, which wsgated sends on as one message each.

A connection whose unsent lines pass 1 MiB (its client reads nothing) is
closed rather than let it hold up the others or grow without bound.
SIGTERM or SIGINT closes every connection, removes the socket and exits 0.
"""
import asyncio
import os
import signal
import sys

LINE_MAX = 64 * 1024            # longer lines end their connection
BACKLOG_MAX = 1024 * 1024       # unsent bytes a connection may hold


class Room:
    def __init__(self):
        self.writers = set()

    def say(self, line):
        for w in list(self.writers):
            w.write(line)
            if w.transport.get_write_buffer_size() > BACKLOG_MAX:
                self.leave(w)

    def leave(self, writer):
        if writer in self.writers:
            self.writers.discard(writer)
            writer.close()


async def serve(room, reader, writer):
    room.writers.add(writer)
    try:
        while line := await reader.readline():
            if not line.endswith(b"\n"):
                break           # EOF in the middle of a line
            room.say(line)
    except (ValueError, ConnectionError):
        pass                    # a line over LINE_MAX, or a reset
    finally:
        room.leave(writer)


async def main(path):
    room = Room()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signo in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signo, stop.set)
    if os.path.exists(path):
        os.unlink(path)
    server = await asyncio.start_unix_server(
        lambda r, w: serve(room, r, w), path, limit=LINE_MAX)
    try:
        os.chmod(path, 0o666)
        await stop.wait()
    finally:
        server.close()
        for w in list(room.writers):
            room.leave(w)
        await server.wait_closed()
        if os.path.exists(path):
            os.unlink(path)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    asyncio.run(main(sys.argv[1]))
