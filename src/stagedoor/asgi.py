"""The ASGI application served by uvicorn (`stagedoor web` / `stagedoor run`)."""

from django.core.asgi import get_asgi_application

from stagedoor.core.config import use_stagedoor_settings

use_stagedoor_settings()

application = get_asgi_application()
