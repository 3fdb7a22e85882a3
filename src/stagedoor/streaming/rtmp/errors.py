"""RTMP protocol errors and the NetStream/NetConnection status codes we send.

Status codes are string constants in one place (like Owncast's eventtype.go).
"""

from __future__ import annotations

# onStatus / _error codes sent to clients
CONNECT_SUCCESS = "NetConnection.Connect.Success"
CONNECT_REJECTED = "NetConnection.Connect.Rejected"
PUBLISH_START = "NetStream.Publish.Start"
# Adobe: "attempt to publish a stream which is already being published by someone else"
PUBLISH_BAD_NAME = "NetStream.Publish.BadName"
# unknown or revoked stream key, or media refused by policy (codec, bitrate, resolution)
PUBLISH_REJECTED = "NetStream.Publish.Rejected"
# the server side of the stream failed (e.g. transcoder could not start)
PUBLISH_BAD_CONNECTION = "NetStream.Publish.BadConnection"
UNPUBLISH_SUCCESS = "NetStream.Unpublish.Success"
PLAY_FAILED = "NetStream.Play.Failed"


class RTMPError(Exception):
    """Base class for RTMP failures. ``code`` is stable and safe to log/show."""

    code = "rtmp.error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code


class HandshakeError(RTMPError):
    code = "rtmp.handshake_failed"


class ProtocolError(RTMPError):
    """The peer violated the chunk stream / message protocol: close the connection."""

    code = "rtmp.protocol_error"


class LimitExceeded(ProtocolError):
    """The peer asked for more than we allow (chunk size, message size)."""

    code = "rtmp.limit_exceeded"
