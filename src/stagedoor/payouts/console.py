"""Staff console sections of payouts."""
