"""Video frame scanning for trust & safety, sans-Django.

The ingest hands every frame sample (a JPEG the transcoder writes every few seconds) to a
:class:`~stagedoor.moderation.frames.scanner.FrameScanner`, which decides from the room's trust
whether to scan it (``sampling``), decodes it once (``image``), matches its PDQ hash against the
operator's hash lists (``pdq``), runs the nudity detector (``detector``), applies the room's
content policy (``policy``) and hands what it found to a sink; a match on a prohibited list ends
the stream first. ``wiring`` builds a scanner from plain callables, so the Django side decides
where trust, policies, hash lists and findings live.

Modules are imported on their own (``from stagedoor.moderation.frames.pdq import HashIndex``):
the detector pulls in onnxruntime, which nothing else needs.
"""
