// Small progressive enhancements shared by every page. Page modules live next to their app.
document.addEventListener("DOMContentLoaded", () => {
  // Send Django's CSRF token with htmx requests.
  const csrf = document.cookie.split("; ").find((c) => c.startsWith("csrftoken="));
  if (csrf) {
    document.body.addEventListener("htmx:configRequest", (event) => {
      event.detail.headers["X-CSRFToken"] = csrf.split("=")[1];
    });
  }
  // Fade out flash messages after a few seconds.
  document.querySelectorAll(".flash").forEach((el) => setTimeout(() => el.remove(), 8000));
});
