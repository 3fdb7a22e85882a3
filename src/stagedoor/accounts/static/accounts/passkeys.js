// Passkey ceremonies in the browser: registration on the security page, sign-in on the two-factor page.
// The server sends WebAuthn options as JSON (binary fields in base64url); the browser's answer goes back the same way.
(() => {
  "use strict";
  const b64uToBuf = (s) => Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((s.length + 3) % 4)), (c) => c.charCodeAt(0)).buffer;
  const bufToB64u = (b) => btoa(String.fromCharCode(...new Uint8Array(b))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  const csrf = () => (document.querySelector("input[name=csrfmiddlewaretoken]") || {}).value || "";
  const api = async (path, body) => {
    const r = await fetch(path, { method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() }, body: JSON.stringify(body || {}) });
    const data = r.status === 204 ? {} : await r.json();
    if (!r.ok) throw new Error(data.message || "Something went wrong.");
    return data;
  };
  const say = (el, text) => { if (el) { el.textContent = text; el.hidden = false; } };

  const creationOptions = (o) => ({ publicKey: { ...o.publicKey, challenge: b64uToBuf(o.publicKey.challenge), user: { ...o.publicKey.user, id: b64uToBuf(o.publicKey.user.id) }, excludeCredentials: (o.publicKey.excludeCredentials || []).map((c) => ({ ...c, id: b64uToBuf(c.id) })) } });
  const requestOptions = (o) => ({ publicKey: { ...o.publicKey, challenge: b64uToBuf(o.publicKey.challenge), allowCredentials: (o.publicKey.allowCredentials || []).map((c) => ({ ...c, id: b64uToBuf(c.id) })) } });

  const register = document.querySelector("[data-passkey-register]");
  if (register) {
    register.addEventListener("submit", async (event) => {
      event.preventDefault();
      const status = register.querySelector("[data-passkey-status]");
      try {
        const options = await api("/api/v1/me/passkeys/options");
        const cred = await navigator.credentials.create(creationOptions(options));
        const credential = { id: cred.id, rawId: bufToB64u(cred.rawId), type: cred.type, clientExtensionResults: {}, response: { clientDataJSON: bufToB64u(cred.response.clientDataJSON), attestationObject: bufToB64u(cred.response.attestationObject), transports: cred.response.getTransports ? cred.response.getTransports() : [] } };
        const added = await api("/api/v1/me/passkeys", { name: register.elements.name.value, credential });
        if (added.recovery_codes && added.recovery_codes.length) {
          sessionStorage.setItem("passkey_recovery_codes", JSON.stringify(added.recovery_codes));
        }
        window.location.reload();
      } catch (err) { say(status, err.message || String(err)); }
    });
  }
  const codes = sessionStorage.getItem("passkey_recovery_codes");
  const codesBox = document.querySelector("[data-passkey-codes]");
  if (codes && codesBox) {
    sessionStorage.removeItem("passkey_recovery_codes");
    codesBox.querySelector("ul").append(...JSON.parse(codes).map((c) => { const li = document.createElement("li"); li.innerHTML = "<code></code>"; li.firstChild.textContent = c; return li; }));
    codesBox.hidden = false;
  }

  const login = document.querySelector("[data-passkey-login]");
  if (login) {
    login.addEventListener("click", async () => {
      const status = document.querySelector("[data-passkey-status]");
      try {
        const options = await api("/api/v1/auth/passkey/options");
        const cred = await navigator.credentials.get(requestOptions(options));
        const credential = { id: cred.id, rawId: bufToB64u(cred.rawId), type: cred.type, clientExtensionResults: {}, response: { clientDataJSON: bufToB64u(cred.response.clientDataJSON), authenticatorData: bufToB64u(cred.response.authenticatorData), signature: bufToB64u(cred.response.signature), userHandle: cred.response.userHandle ? bufToB64u(cred.response.userHandle) : null } };
        await api("/api/v1/auth/passkey/verify", { credential });
        window.location.assign(login.dataset.next || "/");
      } catch (err) { say(status, err.message || String(err)); }
    });
  }
})();
