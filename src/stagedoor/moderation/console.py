"""Staff console sections of moderation (registered from apps.ready)."""
