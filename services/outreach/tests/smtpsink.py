"""A tiny SMTP sink for tests: an asyncio server speaking just enough SMTP for smtplib
(EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT). Messages land in `messages`; `fail_next`
answers the next n DATA commands with a 451 (a temporary failure)."""
from __future__ import annotations

import asyncio
import email
from email import policy


class SmtpSink:
    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.fail_next = 0
        self.server: asyncio.base_events.Server | None = None
        self.port = 0

    async def start(self) -> SmtpSink:
        self.server = await asyncio.start_server(self._session, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        self.server.close()
        await self.server.wait_closed()

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        def say(line: str):
            writer.write(line.encode() + b"\r\n")

        say("220 sink ESMTP")
        await writer.drain()
        try:
            while line := await reader.readline():
                cmd = line.decode(errors="replace").strip().upper()
                if cmd.startswith("EHLO"):
                    say("250-sink")
                    say("250 8BITMIME")
                elif cmd.startswith(("HELO", "MAIL", "RCPT", "RSET", "NOOP")):
                    say("250 OK")
                elif cmd == "DATA":
                    say("354 end with .")
                    await writer.drain()
                    data = bytearray()
                    while (chunk := await reader.readline()) not in (b".\r\n", b".\n", b""):
                        data += chunk[1:] if chunk.startswith(b"..") else chunk
                    if self.fail_next:
                        self.fail_next -= 1
                        say("451 try again later")
                    else:
                        self.messages.append(email.message_from_bytes(bytes(data), policy=policy.default))
                        say("250 queued")
                elif cmd == "QUIT":
                    say("221 bye")
                    await writer.drain()
                    break
                else:
                    say("502 not implemented")
                await writer.drain()
        finally:
            writer.close()
