"""The ASGI application served by uvicorn (`stagedoor web` / `stagedoor run`)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stagedoor.settings")

application = get_asgi_application()
