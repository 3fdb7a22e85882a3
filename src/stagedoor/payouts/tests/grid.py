"""Who may call each payouts endpoint. Read by accounts/tests/test_permission_grid.py."""

GRID: dict[tuple[str, str], str] = {}
