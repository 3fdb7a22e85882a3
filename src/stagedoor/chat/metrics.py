"""Prometheus metrics for chat. Node-level (no room label: rooms are unbounded)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

CONNECTIONS = Gauge("stagedoor_chat_connections", "Open chat sockets on this node")
ROOMS = Gauge("stagedoor_chat_rooms", "Rooms with at least one socket on this node")
EVENTS = Counter("stagedoor_chat_events_total", "Timeline events fanned out on this node")
DELIVERIES = Counter("stagedoor_chat_deliveries_total", "Frames written to sockets by fan-out")
FANOUT_SECONDS = Histogram(
    "stagedoor_chat_fanout_seconds",
    "Time to write one event to every socket of a room on this node",
    buckets=(0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0),
)
SLOW_CONSUMERS = Counter(
    "stagedoor_chat_slow_consumers_dropped_total", "Sockets dropped because their send buffer overflowed"
)
MESSAGES = Counter("stagedoor_chat_messages_total", "Chat lines by pipeline outcome", ["outcome"])
REFUSALS = Counter("stagedoor_chat_refusals_total", "Refused commands by error code", ["code"])
PROTOCOL_ERRORS = Counter("stagedoor_chat_protocol_errors_total", "Undecodable frames by error code", ["code"])
RESUMES = Counter("stagedoor_chat_resumes_total", "Reconnects with a last sequence", ["result"])
GAPS = Counter("stagedoor_chat_sequence_gaps_total", "Sequence gaps seen from the fan-out backend")
MODERATION = Counter("stagedoor_chat_moderation_actions_total", "Moderation actions", ["action"])
