"""The SFU (Janus, Debian's package) behind shows' WebRTC media, sans-Django.

`config` writes Janus's configuration (pure: settings in, file texts out), `process` starts and stops the
`janus` binary Stagedoor runs itself, `client` speaks Janus's HTTP API (the browser never does: Stagedoor's
signalling talks to Janus on its behalf, with the API secret), `forward` builds the ffmpeg command that turns a
browser's WebRTC broadcast (RTP forwarded by Janus) into RTMP for the transcoder ladder.
"""
