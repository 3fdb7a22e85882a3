"""Staff console sections of fans."""
