"""Pages (`pages`) and the WebRTC signalling endpoints (`media`: WHIP/WHEP, SDP bodies, not JSON)."""
