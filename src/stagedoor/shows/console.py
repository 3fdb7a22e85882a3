"""Staff console sections of shows."""
