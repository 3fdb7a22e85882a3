from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, object]:
    return {"site_name": "Stagedoor", "terms_version": settings.STAGEDOOR.terms_version}
