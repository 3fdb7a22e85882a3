// The account card's "this browser" part: registers the service worker, subscribes to push with the site's VAPID
// key and saves the subscription (POST /api/v1/notifications/devices); turning off unsubscribes and forgets it.
const root = document.querySelector("[data-push]");

const csrfToken = () => {
  const cookie = document.cookie.split("; ").find((c) => c.startsWith("csrftoken="));
  return cookie ? decodeURIComponent(cookie.split("=")[1]) : "";
};

const api = async (path, body) => {
  const resp = await fetch(path, {
    method: body === undefined ? "GET" : "POST",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await resp.json().catch(() => ({}));
  if (!resp.ok) throw new Error(data.message || `HTTP ${resp.status}`);
  return data;
};

const keyBytes = (base64url) => {
  const b64 = base64url.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (base64url.length % 4)) % 4);
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
};

async function setup() {
  if (!root) return;
  // A browser's time zone, offered when the person never saved one.
  const zone = document.getElementById("pref-timezone");
  const local = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (zone && !zone.dataset.saved && local && [...zone.options].some((o) => o.value === local)) zone.value = local;
  const status = root.querySelector("[data-push-status]");
  const on = root.querySelector("[data-push-on]");
  const off = root.querySelector("[data-push-off]");
  const say = (text) => {
    status.textContent = text;
  };
  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    say("This browser cannot receive push notifications. You can still get e-mails.");
    return;
  }
  const registration = await navigator.serviceWorker.register("/notifications/sw.js", { scope: "/" });
  root.dataset.pushReady = "1";
  const show = (subscribed) => {
    on.hidden = subscribed;
    off.hidden = !subscribed;
    say(subscribed ? "Notifications are on in this browser." : "Notifications are off in this browser.");
  };
  const current = await registration.pushManager.getSubscription();
  if (Notification.permission === "denied") {
    say("This browser blocks notifications from this site; allow them in the browser's site settings.");
    return;
  }
  show(Boolean(current));

  on.addEventListener("click", async () => {
    on.disabled = true;
    say("Turning on…");
    try {
      if ((await Notification.requestPermission()) !== "granted") {
        say("Notifications were not allowed.");
        return;
      }
      const { public_key: publicKey } = await api("/api/v1/notifications/vapid-key");
      const ready = await navigator.serviceWorker.ready;
      const subscription = await ready.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: keyBytes(publicKey),
      });
      await api("/api/v1/notifications/devices", subscription.toJSON());
      show(true);
    } catch (error) {
      say(`Notifications could not be turned on: ${error.message || error}`);
    } finally {
      on.disabled = false;
    }
  });

  off.addEventListener("click", async () => {
    off.disabled = true;
    try {
      const subscription = await registration.pushManager.getSubscription();
      if (subscription) {
        await api("/api/v1/notifications/devices/unsubscribe", { endpoint: subscription.endpoint });
        await subscription.unsubscribe();
      }
      show(false);
    } catch (error) {
      say(`Notifications could not be turned off: ${error.message || error}`);
    } finally {
      off.disabled = false;
    }
  });

}

setup().catch((error) => {
  const status = root && root.querySelector("[data-push-status]");
  if (status) status.textContent = `Notifications are not available here: ${error.message || error}`;
});
