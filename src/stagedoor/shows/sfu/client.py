"""Janus's HTTP API (https://janus.conf.meetecho.com/docs/rest.html), as Stagedoor uses it: one Janus session
with one VideoRoom handle per browser peer connection, every request signed with the API secret.

Synchronous requests (create a room, list participants, RTP forwarders) answer at once; asynchronous ones
(join + configure with an SDP offer, subscribe, start with an SDP answer) answer `ack` and their result arrives
on the session's long-poll, matched here by transaction id.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

import httpx

from .config import PLUGIN

JSON = dict[str, Any]


class JanusError(Exception):
    """Janus (or its VideoRoom plugin) refused a request, or could not be reached."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(f"janus error {code}: {reason}")
        self.code = code
        self.reason = reason


# Janus's own codes we react to (janus/apierror.h, plugins/janus_videoroom.c)
SESSION_NOT_FOUND = 458
HANDLE_NOT_FOUND = 459
NO_SUCH_ROOM = 426
ROOM_EXISTS = 427
NO_SUCH_FEED = 428
UNREACHABLE = 0


class JanusClient:
    def __init__(self, url: str, api_secret: str, *, timeout: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self.api_secret = api_secret
        self.timeout = timeout
        self._http = httpx.Client(timeout=timeout)

    def close(self) -> None:
        self._http.close()

    # --- plumbing ---------------------------------------------------------------------------------------
    def _post(self, path: str, payload: JSON) -> JSON:
        body = {**payload, "transaction": payload.get("transaction") or secrets.token_hex(8)}
        if self.api_secret:
            body["apisecret"] = self.api_secret
        try:
            resp = self._http.post(self.url + path, json=body)
        except httpx.HTTPError as exc:
            raise JanusError(UNREACHABLE, f"janus unreachable: {exc}") from exc
        answer: JSON = resp.json()
        if answer.get("janus") == "error":
            err = answer.get("error", {})
            raise JanusError(int(err.get("code", -1)), str(err.get("reason", "")))
        return answer

    def info(self) -> JSON:
        try:
            resp = self._http.get(self.url + "/info", timeout=2)
        except httpx.HTTPError as exc:
            raise JanusError(UNREACHABLE, f"janus unreachable: {exc}") from exc
        data: JSON = resp.json()
        return data

    # --- sessions and handles ---------------------------------------------------------------------------
    def create_session(self) -> int:
        return int(self._post("", {"janus": "create"})["data"]["id"])

    def attach(self, session: int, plugin: str = PLUGIN) -> int:
        return int(self._post(f"/{session}", {"janus": "attach", "plugin": plugin})["data"]["id"])

    def keepalive(self, session: int) -> bool:
        """True while Janus still knows the session."""
        try:
            self._post(f"/{session}", {"janus": "keepalive"})
        except JanusError as exc:
            if exc.code == SESSION_NOT_FOUND:
                return False
            raise
        return True

    def destroy_session(self, session: int) -> None:
        """Hang up every peer connection of the session and forget it (a no-op for an unknown session)."""
        try:
            self._post(f"/{session}", {"janus": "destroy"})
        except JanusError as exc:
            if exc.code != SESSION_NOT_FOUND:
                raise

    # --- plugin requests --------------------------------------------------------------------------------
    @staticmethod
    def _plugin_data(answer: JSON) -> JSON:
        data: JSON = answer.get("plugindata", {}).get("data", {})
        if "error_code" in data:
            raise JanusError(int(data["error_code"]), str(data.get("error", "")))
        return data

    def request(self, session: int, handle: int, body: JSON) -> JSON:
        """A synchronous VideoRoom request: its result."""
        answer = self._post(f"/{session}/{handle}", {"janus": "message", "body": body})
        return self._plugin_data(answer)

    def message(
        self, session: int, handle: int, body: JSON, jsep: JSON | None = None, *, timeout: float | None = None
    ) -> tuple[JSON, JSON | None]:
        """An asynchronous VideoRoom request: (the event's data, its JSEP if any), waited for on the long-poll."""
        transaction = secrets.token_hex(8)
        payload: JSON = {"janus": "message", "body": body, "transaction": transaction}
        if jsep is not None:
            payload["jsep"] = jsep
        answer = self._post(f"/{session}/{handle}", payload)
        if answer.get("janus") == "event":  # answered at once
            return self._plugin_data(answer), answer.get("jsep")
        deadline = time.monotonic() + (timeout or self.timeout)
        while time.monotonic() < deadline:
            for event in self.poll(session, wait=min(5.0, max(0.5, deadline - time.monotonic()))):
                if event.get("transaction") == transaction and event.get("janus") == "event":
                    return self._plugin_data(event), event.get("jsep")
        raise JanusError(UNREACHABLE, f"no answer from janus to {body.get('request')} in time")

    def poll(self, session: int, *, wait: float = 5.0, max_events: int = 10) -> list[JSON]:
        """The session's pending events (a long-poll that returns early when one arrives)."""
        params: dict[str, str | int] = {"maxev": max_events, "rid": int(time.time() * 1000)}
        if self.api_secret:
            params["apisecret"] = self.api_secret
        try:
            resp = self._http.get(f"{self.url}/{session}", params=params, timeout=wait + 35)
        except httpx.HTTPError as exc:
            raise JanusError(UNREACHABLE, f"janus unreachable: {exc}") from exc
        data = resp.json()
        events: list[JSON] = data if isinstance(data, list) else [data]
        for event in events:
            if event.get("janus") == "error":
                err = event.get("error", {})
                raise JanusError(int(err.get("code", -1)), str(err.get("reason", "")))
        return [e for e in events if e.get("janus") != "keepalive"]

    # --- VideoRoom, as Stagedoor uses it ----------------------------------------------------------------
    def ensure_room(self, session: int, handle: int, room: int, *, publishers: int = 6, fir_freq: int = 0) -> None:
        """Create the VideoRoom `room` unless it exists (VP8 video, Opus audio: what every browser sends)."""
        body: JSON = {
            "request": "create",
            "room": room,
            "admin_key": self.api_secret,
            "is_private": True,
            "publishers": publishers,
            "videocodec": "vp8",
            "audiocodec": "opus",
            "bitrate": 2_500_000,
            "fir_freq": fir_freq,
            "permanent": False,
        }
        try:
            self.request(session, handle, body)
        except JanusError as exc:
            if exc.code != ROOM_EXISTS:
                raise

    def destroy_room(self, session: int, handle: int, room: int) -> None:
        try:
            self.request(session, handle, {"request": "destroy", "room": room, "permanent": False})
        except JanusError as exc:
            if exc.code != NO_SUCH_ROOM:
                raise

    def publish(self, session: int, handle: int, room: int, offer_sdp: str, *, display: str = "") -> tuple[int, str]:
        """Join `room` as a publisher with the browser's offer: (the feed id, Janus's SDP answer)."""
        body: JSON = {"request": "joinandconfigure", "ptype": "publisher", "room": room, "display": display}
        body.update({"audio": True, "video": True})
        data, jsep = self.message(session, handle, body, {"type": "offer", "sdp": offer_sdp})
        if jsep is None or jsep.get("type") != "answer":
            raise JanusError(-1, f"janus did not answer the offer: {data}")
        return int(data["id"]), str(jsep["sdp"])

    def subscribe(self, session: int, handle: int, room: int, feed: int) -> str:
        """Join `room` as a subscriber to `feed`: Janus's SDP offer (the VideoRoom always offers to subscribers)."""
        body: JSON = {"request": "join", "ptype": "subscriber", "room": room, "streams": [{"feed": feed}]}
        data, jsep = self.message(session, handle, body)
        if jsep is None or jsep.get("type") != "offer":
            raise JanusError(-1, f"janus did not offer: {data}")
        return str(jsep["sdp"])

    def start(self, session: int, handle: int, room: int, answer_sdp: str) -> None:
        """The subscriber's SDP answer: media starts flowing."""
        self.message(session, handle, {"request": "start", "room": room}, {"type": "answer", "sdp": answer_sdp})

    def participants(self, session: int, handle: int, room: int) -> list[JSON]:
        data = self.request(session, handle, {"request": "listparticipants", "room": room})
        result: list[JSON] = data.get("participants", [])
        return result

    def rtp_forward(
        self, session: int, handle: int, room: int, feed: int, *, host: str, video_port: int, audio_port: int
    ) -> None:
        """Copy the publisher's RTP (VP8 as payload type 96, Opus as 111) to plain UDP ports on `host`."""
        self.request(
            session,
            handle,
            {
                "request": "rtp_forward",
                "room": room,
                "publisher_id": feed,
                "admin_key": self.api_secret,
                "host": host,
                "host_family": "ipv4",
                "video_port": video_port,
                "video_pt": VIDEO_PT,
                "audio_port": audio_port,
                "audio_pt": AUDIO_PT,
            },
        )


VIDEO_PT = 96
AUDIO_PT = 111
