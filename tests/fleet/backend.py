#!/usr/bin/python3
"""The fleet test's backend: one UNIX socket per wsgated instance
(framing = lines, metadata = json).  It reads the JSON line, then answers
each line "CID SEQ" with "INSTANCE CID SEQ" (its acknowledgement) and
records, per connection, the client address and port from the metadata,
every sequence number received and how many answers it wrote.  On
SIGTERM it writes all that as JSON to OUT and exits.

    backend.py OUT NAME=SOCKET...
"""
import asyncio
import json
import os
import signal
import sys


async def main():
    out = sys.argv[1]
    conns = []
    stop = asyncio.Event()

    def handler(inst):
        async def handle(reader, writer):
            conn = {"inst": inst, "addr": None, "port": None, "seqs": [], "written": 0}
            conns.append(conn)
            try:
                meta = json.loads(await reader.readline())
                conn["addr"] = meta.get("client_address")
                conn["port"] = meta.get("client_port")
                while True:
                    line = await reader.readline()
                    if not line:
                        break
                    cid, seq = line.decode().split()
                    conn["seqs"].append([cid, int(seq)])
                    writer.write(("%s %s %s\n" % (inst, cid, seq)).encode())
                    conn["written"] += 1
                    await writer.drain()
            except (ConnectionError, ValueError):
                pass
            finally:
                writer.close()
        return handle

    servers = []
    for spec in sys.argv[2:]:
        inst, path = spec.split("=", 1)
        servers.append(await asyncio.start_unix_server(handler(inst), path, backlog=512))
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    for s in servers:
        s.close()
    tmp = out + ".tmp"
    with open(tmp, "w") as f:
        json.dump(conns, f)
    os.rename(tmp, out)


asyncio.run(main())
