// Fills every ad slot on the page (GET /api/v1/ads/slots/<slot>) and reports an ad's impression once it has been
// at least half in view for one second (the IAB's viewable impression), with the signed token the slot returned.
// The banner is a link to the click redirect; an HTML5 banner sits in a sandboxed iframe the click passes over.
(() => {
  "use strict";
  const VIEW_RATIO = 0.5;
  const VIEW_MS = 1000;

  function beacon(token) {
    fetch("/api/v1/ads/impressions", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ token }),
      credentials: "same-origin",
      keepalive: true,
    }).catch(() => {});
  }

  function watch(slot, token) {
    if (!("IntersectionObserver" in window)) return;
    let timer = null;
    const observer = new IntersectionObserver((entries) => {
      for (const entry of entries) {
        if (entry.isIntersecting && entry.intersectionRatio >= VIEW_RATIO) {
          if (timer === null) {
            timer = setTimeout(() => {
              observer.disconnect();
              slot.dataset.adSeen = "true";
              beacon(token);
            }, VIEW_MS);
          }
        } else if (timer !== null) {
          clearTimeout(timer);
          timer = null;
        }
      }
    }, { threshold: [0, VIEW_RATIO, 1] });
    observer.observe(slot);
  }

  function banner(ad) {
    const link = document.createElement("a");
    link.className = "ad-link";
    link.href = ad.click_url;
    link.rel = "sponsored noopener";
    link.dataset.testid = "ad-link";
    if (ad.kind === "image") {
      const img = document.createElement("img");
      img.src = ad.content_url;
      img.alt = ad.alt_text;
      img.width = ad.width;
      img.height = ad.height;
      link.append(img);
    } else {
      const frame = document.createElement("iframe");
      frame.src = ad.content_url;
      frame.setAttribute("sandbox", "");
      frame.setAttribute("referrerpolicy", "no-referrer");
      frame.setAttribute("loading", "lazy");
      frame.title = ad.alt_text;
      frame.width = String(ad.width);
      frame.height = String(ad.height);
      frame.tabIndex = -1;
      link.setAttribute("aria-label", ad.alt_text);
      link.append(frame);
    }
    return link;
  }

  async function fill(slot) {
    const name = slot.dataset.adSlot;
    const categories = slot.dataset.adCategories || "";
    let url = "/api/v1/ads/slots/" + encodeURIComponent(name);
    if (categories) url += "?categories=" + encodeURIComponent(categories);
    let data;
    try {
      const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!response.ok) return;
      data = await response.json();
    } catch {
      return;
    }
    if (!data || !data.ad) return;
    slot.dataset.adDecision = data.ad.decision_id;
    slot.append(banner(data.ad));
    slot.hidden = false;
    watch(slot, data.ad.impression_token);
  }

  function start() {
    for (const slot of document.querySelectorAll("[data-ad-slot]:not([data-ad-filled])")) {
      slot.dataset.adFilled = "true";
      fill(slot);
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
