"""Real-time chat: wire protocol, message pipeline, RoomHub fan-out, gateway, moderation."""
