#!/usr/bin/python3
"""Demo backend for wsgate: echoes every byte back on a UNIX socket.

usage: echo-backend.py SOCKET_PATH

With framing = raw, wsgated writes each client message's payload to this
socket and sends every chunk read from it back as one message.
"""
import asyncio
import os
import sys


async def echo(reader, writer):
    while data := await reader.read(65536):
        writer.write(data)
        await writer.drain()
    writer.close()


async def main(path):
    if os.path.exists(path):
        os.unlink(path)
    server = await asyncio.start_unix_server(echo, path)
    os.chmod(path, 0o666)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    try:
        asyncio.run(main(sys.argv[1]))
    except KeyboardInterrupt:
        pass
