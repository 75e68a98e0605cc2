"""What a channel raises (channels.py), its provider adapters too (sms.py, wechat.py)."""
from __future__ import annotations


class ChannelError(Exception):
    """A failed send; the message is stored on the delivery (last_error). `permanent`: retrying
    cannot help, the delivery is abandoned at once."""

    def __init__(self, message: str, permanent: bool = False):
        super().__init__(message[:400])
        self.permanent = permanent


class Skipped(Exception):
    """Nothing to send through this channel (no address, not configured): the delivery is
    `skipped` with this reason and never retried."""
