// Room page: follow button. Player, chat and tips are modules of their own apps.
document.addEventListener("DOMContentLoaded", () => {
  const button = document.querySelector("[data-follow]");
  const layout = document.querySelector("[data-room-slug]");
  if (!button || !layout) return;
  const csrf = (document.cookie.split("; ").find((c) => c.startsWith("csrftoken=")) || "=").split("=")[1];
  button.addEventListener("click", async () => {
    const following = button.dataset.following === "true";
    const response = await fetch(`/api/v1/rooms/${layout.dataset.roomSlug}/follow`, {
      method: following ? "DELETE" : "POST",
      headers: { "X-CSRFToken": csrf },
      credentials: "same-origin",
    });
    if (!response.ok) return;
    const body = await response.json();
    button.dataset.following = String(body.following);
    button.textContent = body.following ? "Following" : "Follow";
    button.classList.toggle("btn-primary", !body.following);
    button.classList.toggle("btn-ghost", body.following);
  });
});
