from stagedoor.accounts.roles import Perm

GRID: dict[tuple[str, str], str] = {
    ("GET", "/api/v1/rooms"): "anon",
    ("GET", "/api/v1/rooms/{slug}"): "anon",
    ("GET", "/api/v1/rooms/mine"): Perm.ROOM_MANAGE,
    ("PATCH", "/api/v1/rooms/mine"): Perm.ROOM_MANAGE,
    ("PUT", "/api/v1/rooms/mine/blocked-regions"): Perm.ROOM_MANAGE,
    ("POST", "/api/v1/rooms/{slug}/follow"): "auth",
    ("DELETE", "/api/v1/rooms/{slug}/follow"): "auth",
}
