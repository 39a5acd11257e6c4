#!/usr/bin/python3
"""A reference echo server for the conformance suite: python-websockets'
own server (Debian's python3-websockets 10.4), echoing every message.

usage: reference-server.py [--port PORT] [--max-size N]

Prints "listening on ws://127.0.0.1:PORT/" once it accepts connections
(PORT 0, the default, picks a free port) and serves until SIGINT or
SIGTERM.  Run the suite against it with
    run.py --url ws://127.0.0.1:PORT/ --max-message-size N
"""
import argparse
import asyncio
import signal

import websockets


async def echo(ws, path):
    async for message in ws:
        await ws.send(message)


async def main(port, max_size):
    stop = asyncio.get_running_loop().create_future()
    for sig in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set_result, None)
    async with websockets.serve(echo, "127.0.0.1", port, max_size=max_size,
                                ping_interval=None, compression=None) as server:
        print("listening on ws://127.0.0.1:%d/" % server.sockets[0].getsockname()[1],
              flush=True)
        await stop


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--max-size", type=int, default=1 << 20)
    a = p.parse_args()
    asyncio.run(main(a.port, a.max_size))
