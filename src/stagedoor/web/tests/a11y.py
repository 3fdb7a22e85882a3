"""Lighthouse-style accessibility checks for browser tests, run inside the page.

Usage (Playwright page)::

    console = watch_console(page)           # before the first goto: records console errors
    page.goto(url)
    assert_accessible(page, console)        # or: report = a11y_check(page, console); report.problems()

Checks:
- every ``input`` (except ``type=hidden``), ``select`` and ``textarea`` has an accessible name: a
  ``<label>`` (wrapping or ``for=``), ``aria-label`` or ``aria-labelledby`` naming non-empty text
  (button-like inputs: their ``value``/``alt``); placeholders and titles do not count;
- text contrast is at least 4.5:1, or 3:1 for large text (24 px, or 18.66 px and bold), for every
  visible text node (screen-reader-only text, clipped to 1 px, is not seen). The colour is the computed ``color``, faded by the element's and its ancestors'
  ``opacity``; the background is composed from the computed backgrounds of the element and its
  ancestors (colours and gradient stops, alpha-blended) down to the first opaque one, and the
  worst gradient stop counts. Text over an image (``url(...)``) is skipped, as is text that is
  decorative (``aria-hidden``), disabled (WCAG exempts inactive controls) or not rendered; running fades
  (``opacity`` animations and transitions) are let finish first (at most 3 s);
- no console errors (``console.error`` and uncaught page errors) since ``watch_console``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

CHECK_JS = r"""
() => {
  const describe = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += "#" + el.id;
    if (el.dataset && el.dataset.testid) s += `[data-testid=${el.dataset.testid}]`;
    else if (el.classList && el.classList.length) s += "." + [...el.classList].slice(0, 2).join(".");
    return s;
  };
  const rendered = (el) => {
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (s.display === "none" || s.visibility === "hidden" || s.visibility === "collapse") return false;
    }
    // a 1×1 px clipped box is text for screen readers only (.visually-hidden): nothing to see
    return [...el.getClientRects()].some((r) => r.width > 1 || r.height > 1);
  };

  // --- accessible names of form controls ---
  const unlabelled = [];
  const textOf = (el) => (el ? (el.textContent || "").replace(/\s+/g, " ").trim() : "");
  for (const el of document.querySelectorAll("input, select, textarea")) {
    const type = (el.getAttribute("type") || "").toLowerCase();
    if (type === "hidden") continue;
    let name = (el.getAttribute("aria-label") || "").trim();
    if (!name && el.getAttribute("aria-labelledby")) {
      name = el.getAttribute("aria-labelledby").split(/\s+/).map((id) => textOf(document.getElementById(id))).join(" ").trim();
    }
    if (!name && el.labels) name = [...el.labels].map(textOf).join(" ").trim();
    if (!name && ["submit", "button", "reset"].includes(type)) name = (el.value || "").trim();
    if (!name && type === "image") name = (el.getAttribute("alt") || "").trim();
    if (!name) unlabelled.push(describe(el) + (el.name ? `[name=${el.name}]` : ""));
  }

  // --- contrast ---
  const parse = (c) => {
    const m = /rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:\s*[,/]\s*([\d.]+%?))?\s*\)/.exec(c || "");
    if (!m) return null;
    let a = m[4] === undefined ? 1 : m[4].endsWith("%") ? parseFloat(m[4]) / 100 : parseFloat(m[4]);
    return [parseFloat(m[1]), parseFloat(m[2]), parseFloat(m[3]), a];
  };
  const colorsIn = (image) => (image.match(/rgba?\([^)]*\)/g) || []).map(parse).filter(Boolean);
  const over = (top, bottom) => {
    const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + bottom[i] * (1 - a)).concat([1]);
  };
  const lum = (c) => {
    const ch = c.slice(0, 3).map((v) => {
      v /= 255;
      return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2];
  };
  const ratio = (a, b) => {
    const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
  // the possible backgrounds behind `el`: null when an image is in the way
  const backdrops = (el) => {
    const layers = []; // top first; each a list of candidate colours
    for (let e = el; e; e = e.parentElement) {
      const s = getComputedStyle(e);
      const image = s.backgroundImage;
      if (image && image !== "none") {
        if (/url\(/.test(image)) return null;
        const stops = colorsIn(image);
        if (stops.length) {
          layers.push(stops);
          if (stops.every((c) => c[3] >= 1)) break;
        }
      }
      const bg = parse(s.backgroundColor);
      if (bg && bg[3] > 0) {
        layers.push([bg]);
        if (bg[3] >= 1) break;
      }
    }
    let result = [[255, 255, 255, 1]]; // the canvas, if nothing is opaque
    for (let i = layers.length - 1; i >= 0; i--) {
      const next = [];
      for (const below of result) for (const top of layers[i]) next.push(over(top, below));
      result = next.slice(0, 64);
    }
    return result;
  };
  const contrast = [];
  const seen = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.replace(/\s+/g, " ").trim();
    if (!text) continue;
    const el = node.parentElement;
    if (!el || seen.has(el)) continue;
    seen.add(el);
    if (el.closest("script, style, noscript, template, option, [aria-hidden='true']")) continue;
    if (el.closest(":disabled, [aria-disabled='true']")) continue;
    if (!rendered(el)) continue;
    const s = getComputedStyle(el);
    const color = parse(s.color);
    if (!color) continue;
    let opacity = color[3];
    for (let e = el; e; e = e.parentElement) opacity *= parseFloat(getComputedStyle(e).opacity);
    if (opacity <= 0.01) continue; // invisible (e.g. faded-out controls): nothing to read
    const behind = backdrops(el);
    if (!behind) continue;
    const size = parseFloat(s.fontSize);
    const bold = parseInt(s.fontWeight, 10) >= 700;
    const need = size >= 24 || (size >= 18.66 && bold) ? 3 : 4.5;
    let worst = Infinity;
    for (const bg of behind) worst = Math.min(worst, ratio(over([color[0], color[1], color[2], opacity], bg), bg));
    if (worst + 1e-6 < need) {
      contrast.push(`${describe(el)} "${text.slice(0, 40)}": ${worst.toFixed(2)}:1 < ${need}:1`);
    }
  }
  return { unlabelled, contrast };
}
"""


def watch_console(page: Any) -> list[str]:
    """Start recording console errors and uncaught exceptions of `page`; returns the live list."""
    errors: list[str] = []
    page.on("console", lambda message: errors.append(f"console: {message.text}") if message.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    return errors


@dataclass(frozen=True)
class A11yReport:
    url: str
    unlabelled: list[str] = field(default_factory=list)
    low_contrast: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        return (
            [f"no accessible name: {x}" for x in self.unlabelled]
            + [f"low contrast: {x}" for x in self.low_contrast]
            + [f"console error: {x}" for x in self.console_errors]
        )


# Fades (animations and transitions of `opacity`, e.g. a banner popping in or leaving) are let finish first: mid-fade
# text is half transparent, and whether a check lands in those few hundred milliseconds is timing, not design.
SETTLE_FADES_JS = r"""
async () => {
  const fading = document.getAnimations().filter((a) => {
    if (a.playState !== "running" || a.effect === null) return false;
    if (a.transitionProperty !== undefined) return a.transitionProperty === "opacity";
    const iterations = a.effect.getTiming().iterations;
    return iterations !== Infinity && a.effect.getKeyframes().some((k) => "opacity" in k);
  });
  await Promise.race([
    Promise.all(fading.map((a) => a.finished.catch(() => null))),
    new Promise((done) => setTimeout(done, 3000)),
  ]);
}
"""


def a11y_check(page: Any, console: list[str] | None = None) -> A11yReport:
    """Run the checks on the page as it is now (wait for what should be on screen first); fades finish first."""
    page.evaluate(SETTLE_FADES_JS)
    found = page.evaluate(CHECK_JS)
    return A11yReport(
        url=page.url,
        unlabelled=list(found["unlabelled"]),
        low_contrast=list(found["contrast"]),
        console_errors=list(console or []),
    )


def assert_accessible(page: Any, console: list[str] | None = None, *, where: str = "") -> A11yReport:
    report = a11y_check(page, console)
    problems = report.problems()
    assert not problems, f"{where or report.url}:\n  " + "\n  ".join(problems)
    return report
