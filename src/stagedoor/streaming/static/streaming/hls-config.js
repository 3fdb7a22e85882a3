// hls.js settings for Stagedoor's low-latency live streams (1 s fMP4 segments, no
// partial segments). Shared by the room player and bench/video.py, so the benchmark
// measures what viewers get.
window.StagedoorHlsConfig = Object.freeze({
  lowLatencyMode: true,
  liveSyncDuration: 1.2, // sit this far behind the newest segment's end
  liveMaxLatencyDuration: 4, // seek forward when further behind than this
  maxLiveSyncPlaybackRate: 1.2, // catch up by playing up to 20% faster
  // hls.js adds this to the target latency after every stall (default 1 s): one stall
  // while starting would otherwise keep every viewer a second further behind for good
  liveSyncOnStallIncrease: 0.2,
  backBufferLength: 4,
});
