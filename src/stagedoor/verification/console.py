"""Staff console sections of verification (registered from apps.ready)."""
