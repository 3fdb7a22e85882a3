"""Who may call each analytics endpoint. Read by accounts/tests/test_permission_grid.py."""

from stagedoor.accounts.roles import Perm

GRID: dict[tuple[str, str], str] = {
    ("GET", "/api/v1/me/dashboard"): Perm.EARNINGS_READ,
    ("GET", "/api/v1/me/dashboard.csv"): Perm.EARNINGS_READ,
    ("GET", "/api/v1/analytics/finance"): Perm.FINANCE_DASHBOARD,
    ("GET", "/api/v1/analytics/finance.csv"): Perm.FINANCE_DASHBOARD,
    # surveys: any signed-in person; the survey's audience is checked inside (test_surveys.py)
    ("GET", "/api/v1/surveys"): "auth",
    ("GET", "/api/v1/surveys/{survey_id}"): "auth",
    ("POST", "/api/v1/surveys/{survey_id}/answers"): "auth",
    ("POST", "/api/v1/analytics/surveys"): Perm.SURVEYS_MANAGE,
    ("POST", "/api/v1/analytics/surveys/{survey_id}/publish"): Perm.SURVEYS_MANAGE,
    ("POST", "/api/v1/analytics/surveys/{survey_id}/close"): Perm.SURVEYS_MANAGE,
    ("GET", "/api/v1/analytics/surveys/{survey_id}/results"): Perm.SURVEYS_MANAGE,
    ("GET", "/api/v1/me/sentiment"): Perm.ROOM_MANAGE,
    ("GET", "/api/v1/analytics/sentiment"): Perm.SENTIMENT_READ_ANY,
}
