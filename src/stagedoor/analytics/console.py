"""Staff console sections of analytics."""
