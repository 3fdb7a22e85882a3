# ruff: noqa: E501 - article prose, one paragraph a line
"""The help articles and macros a new install starts with (applied by migration 0002; the demo reuses them)."""

from __future__ import annotations

ARTICLES: list[dict[str, str]] = [
    {
        "slug": "obs-setup",
        "title": "Set up OBS for streaming",
        "summary": "Server, stream key and the output settings that keep your stream smooth.",
        "audience": "performers",
        "body": """1. In your studio, open the Streaming card and copy the server URL (rtmp://…/live) and your stream key. The key is shown once; keep it secret — anyone with it can broadcast as you. You can make a new one any time.

2. In OBS open Settings → Stream. Service: Custom. Server: the URL from the studio. Stream Key: your key.

3. Settings → Output → Output Mode: Advanced → Streaming. Encoder: x264 (or NVENC H.264 if you have an NVIDIA card). Rate control: CBR. Bitrate: 4500 Kbps for 1080p30, 2500–3500 Kbps for 720p. Keyframe interval: 2 s. Profile: high. Audio: AAC, 160 Kbps.

4. Settings → Video: Base resolution your camera's, Output (Scaled) 1920×1080 or 1280×720, FPS 30.

5. Start Streaming. Within a few seconds your studio shows the live health of your stream: bitrate, frame rate, keyframe interval and any warning with what to change.

If your stream stutters: lower the bitrate by 1000 Kbps, or the output resolution to 720p; check View → Docks → Stats in OBS for dropped frames (network) or skipped frames (your computer is too busy).""",
    },
    {
        "slug": "buying-tokens",
        "title": "Buying tokens",
        "summary": "Packages, payment, and what to do if tokens did not arrive.",
        "audience": "viewers",
        "body": """Tokens are bought in packages on your Wallet page. Choose a package, pay on the payment provider's secure page, and the tokens appear in your balance as soon as the provider confirms the payment — usually within a minute.

Your card details never reach us: the payment provider handles them.

If your tokens did not arrive: open your Wallet, find the purchase, and press "Get help with this purchase". The request reaches our billing team with the purchase attached, so you don't need to send a screenshot of your bank statement.

A refund or a chargeback takes the tokens of that purchase back out of your balance.""",
    },
    {
        "slug": "privacy",
        "title": "Your privacy on Stagedoor",
        "summary": "What we keep, who can see it, and how to get a copy or have it deleted.",
        "audience": "everyone",
        "body": """We keep what running the site needs: your account, your purchases and tips (the law requires us to keep payment records), your chat messages for a limited time, and — for performers — the identity verification the law requires.

ID documents and payout details are encrypted at rest. Support agents see whether you are verified, never your documents; payout details are only ever shown masked.

You can tip anonymously: the performer and other viewers then do not see your name.

To get a copy of your data or have your account deleted, write to support from the address on your account.""",
    },
    {
        "slug": "getting-paid",
        "title": "Getting paid",
        "summary": "Set up your payout method and when payouts happen.",
        "audience": "performers",
        "body": """Add your payout method in the studio (bank transfer, e-wallet or Bitcoin). The holder name must match the name on your verified ID.

Earnings become payable after the holding period, and payouts run on a fixed schedule once you pass the minimum. Your Earnings page shows what is pending, payable and paid.

Changing your payout method sends a confirmation to your e-mail address and pauses payouts for a short time, to protect you if someone else got into your account.""",
    },
    {
        "slug": "verification",
        "title": "Verifying your identity",
        "summary": "Why performers verify, what you need, and how long it takes.",
        "audience": "performers",
        "body": """Everyone who appears on camera must be an adult with a verified identity. You need a valid government ID and a selfie holding it.

Start from your studio. Most checks finish within minutes; a manual review can take up to a day. Your documents are encrypted and only our compliance team can open them.

If your check was declined or needs more information, the studio says what to send again.""",
    },
    {
        "slug": "account-security",
        "title": "Locked out, or worried someone got into your account",
        "summary": "Password reset, two-factor codes and account recovery.",
        "audience": "everyone",
        "body": """Forgot your password: use "Forgot password" on the login page; the link is valid for an hour.

Too many wrong passwords lock the account for a few minutes; wait and try again.

Lost your two-factor device: sign in with one of your recovery codes. Without them, contact support: we start an identity-checked recovery.

If you think someone else used your account: change your password, then contact support so we can check recent sign-ins and purchases with you.""",
    },
]

MACROS: list[dict[str, object]] = [
    {
        "title": "Tokens did not arrive",
        "body": "Hi {name},\n\nthanks for writing. I checked your latest purchase: {last_purchase}.\n\n"
        "If it shows as paid, the tokens are in your balance now; if it is still waiting for payment, the provider has "
        "not confirmed it yet. I'm keeping this ticket open until it's sorted.\n\nStagedoor support",
        "set_category": "billing",
    },
    {
        "title": "Stream stutters: OBS settings",
        "body": "Hi {name},\n\nI looked at your stream's health. What to change in OBS:\n{stream_advice}\n\n"
        "The full guide: /help/obs-setup\n\nStagedoor support",
        "set_category": "technical",
    },
    {
        "title": "Refund request: to finance",
        "body": "Hi {name},\n\nI've passed your refund request to our billing team; they decide refunds and will write "
        "to you here.\n\nStagedoor support",
        "set_category": "billing",
        "escalate_to": "finance",
    },
    {
        "title": "Locked out: recovery steps",
        "body": "Hi {name},\n\nsorry you're locked out. Please try the steps in /help/account-security first; if your "
        "two-factor device is gone and you have no recovery codes, reply and we'll start an identity-checked recovery.\n\n"
        "Stagedoor support",
        "set_category": "account",
    },
    {
        "title": "Solved: close",
        "body": "Hi {name},\n\nglad that's sorted. I'm closing this request ({ticket}); just reply if anything comes up "
        "again.\n\nStagedoor support",
        "close": True,
    },
]
