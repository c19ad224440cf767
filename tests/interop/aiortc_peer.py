#!/usr/bin/python3
"""A command-line aiortc peer for interop tests (docs/interop.md).

Run it with Debian's interpreter (/usr/bin/python3): it needs python3-aiortc.

Two media modes, each as offerer or answerer:

  recv  receive H.264 video, decode every frame (aiortc decodes with PyAV),
        count the decoded frames and their size.
  send  send H.264 video from a synthetic 640x480 @ 30 fps source.

Signaling is one JSON object per line, so a test can drive this script through
two pipes:

  stdout  {"type": "offer"|"answer", "sdp": "..."}   our description, written
          once ICE gathering has finished (aiortc does not trickle, so every
          candidate is inside the SDP);
          {"type": "result", ...}                     last line, on exit.
  stdin   {"type": "answer"|"offer", "sdp": "..."}   the peer's description.

Logs go to stderr. Exit codes: 0 success, 1 media failure (not enough frames,
connection failed), 2 bad usage, 3 watchdog (the whole run took too long, or
our parent process died).

Only loopback is used: see use_loopback_only() below. No STUN or TURN server.
"""

import argparse
import asyncio
import json
import logging
import os
import sys
import threading
import time

EXIT_OK = 0
EXIT_MEDIA_FAILURE = 1
EXIT_USAGE = 2
EXIT_WATCHDOG = 3

# Margin on top of --duration for signaling, ICE and DTLS before the
# watchdog gives up on the whole process.
WATCHDOG_MARGIN_S = 30.0
SIGNAL_TIMEOUT_S = 20.0
CLOSE_TIMEOUT_S = 5.0

FRAME_WIDTH = 640
FRAME_HEIGHT = 480
FRAME_RATE = 30


def log(message):
    print(f"{time.monotonic():.3f} aiortc_peer: {message}", file=sys.stderr, flush=True)


def emit(obj):
    """One JSON line on stdout, flushed at once (the peer is waiting on it)."""
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def start_watchdog(limit_s):
    """Ends the process with EXIT_WATCHDOG after limit_s, whatever asyncio is
    doing (a stuck DTLS handshake or close() must not hang a test run), and
    at once if our parent dies (a test killed on timeout must not leave us
    running: we would be re-parented, so getppid() changes)."""
    parent = os.getppid()
    deadline = time.monotonic() + limit_s

    def watch():
        while time.monotonic() < deadline:
            if os.getppid() != parent:
                log("watchdog: parent process gone, exiting")
                os._exit(EXIT_WATCHDOG)
            time.sleep(0.25)
        log(f"watchdog: still running after {limit_s:.0f} s, exiting")
        try:
            emit({"type": "result", "ok": False, "error": "watchdog"})
        finally:
            os._exit(EXIT_WATCHDOG)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def use_loopback_only():
    """Makes aioice gather host candidates on 127.0.0.1 only.

    aioice.ice.get_host_addresses() enumerates every interface and explicitly
    skips 127.0.0.1 and ::1 (aioice 0.8, Debian 12), so out of the box aiortc
    would offer only the machine's real addresses. Interop tests must stay on
    loopback and must not touch other networks, so we replace that function
    (looked up as a module global by Connection.gather_candidates) with one
    that returns the IPv4 loopback address alone. Nothing else in aioice is
    changed; no STUN/TURN server is configured (iceServers=[]).
    """
    import aioice.ice

    def loopback_host_addresses(use_ipv4, use_ipv6):
        return ["127.0.0.1"] if use_ipv4 else []

    aioice.ice.get_host_addresses = loopback_host_addresses


def h264_codecs_only():
    """The H.264 codecs aiortc can send/receive with packetization-mode=1
    (no VP8, no RTX): forces the negotiation onto H.264."""
    from aiortc import RTCRtpSender

    codecs = [
        codec
        for codec in RTCRtpSender.getCapabilities("video").codecs
        if codec.mimeType.lower() == "video/h264"
        and codec.parameters.get("packetization-mode") == "1"
    ]
    if not codecs:
        raise RuntimeError("aiortc offers no H.264 codec with packetization-mode=1")
    return codecs


class LineReader:
    """Reads stdin lines on a daemon thread and hands them to asyncio.

    A daemon thread (not the default executor) so that a peer that never
    writes cannot keep the interpreter from exiting."""

    def __init__(self, loop):
        self._queue = asyncio.Queue()
        self._loop = loop
        thread = threading.Thread(target=self._run, daemon=True)
        thread.start()

    def _run(self):
        for line in sys.stdin:
            self._loop.call_soon_threadsafe(self._queue.put_nowait, line)
        self._loop.call_soon_threadsafe(self._queue.put_nowait, None)

    async def next_description(self, expected_type, timeout_s):
        """The next non-empty line as a description of expected_type."""
        while True:
            line = await asyncio.wait_for(self._queue.get(), timeout_s)
            if line is None:
                raise RuntimeError(f"stdin closed while waiting for the {expected_type}")
            line = line.strip()
            if not line:
                continue
            message = json.loads(line)
            if message.get("type") != expected_type or "sdp" not in message:
                raise RuntimeError(f"expected an {expected_type}, got {line[:120]!r}")
            return message["sdp"]


def make_synthetic_track():
    """A VideoStreamTrack of 640x480 yuv420p frames at 30 fps: a bright bar
    that moves one step per frame over a gradient, so every frame differs
    (the encoder must code motion, not repeat a static picture)."""
    import av
    import numpy
    from aiortc import VideoStreamTrack

    class MovingBarTrack(VideoStreamTrack):
        kind = "video"

        def __init__(self):
            super().__init__()
            self.frames_made = 0
            gradient = numpy.arange(FRAME_WIDTH, dtype=numpy.uint16) * 220 // FRAME_WIDTH
            self._luma = numpy.tile(gradient.astype(numpy.uint8), (FRAME_HEIGHT, 1))
            self._chroma_rows = FRAME_HEIGHT // 2
            self._chroma = numpy.full((self._chroma_rows, FRAME_WIDTH), 128, dtype=numpy.uint8)

        async def recv(self):
            pts, time_base = await self.next_timestamp()
            planes = numpy.empty((FRAME_HEIGHT + self._chroma_rows, FRAME_WIDTH), dtype=numpy.uint8)
            planes[:FRAME_HEIGHT] = self._luma
            bar = (self.frames_made * 8) % (FRAME_WIDTH - 32)
            planes[:FRAME_HEIGHT, bar : bar + 32] = 235
            planes[FRAME_HEIGHT:] = self._chroma
            frame = av.VideoFrame.from_ndarray(planes, format="yuv420p")
            frame.pts = pts
            frame.time_base = time_base
            self.frames_made += 1
            return frame

    return MovingBarTrack()


async def wait_connected(pc, timeout_s):
    """Waits until connectionState is "connected"; raises on failure."""
    connected = asyncio.get_running_loop().create_future()

    @pc.on("connectionstatechange")
    def on_state():
        log(f"connection state: {pc.connectionState}")
        if connected.done():
            return
        if pc.connectionState == "connected":
            connected.set_result(True)
        elif pc.connectionState in ("failed", "closed"):
            connected.set_exception(RuntimeError(f"connection {pc.connectionState}"))

    if pc.connectionState == "connected":
        return
    if pc.connectionState in ("failed", "closed"):
        raise RuntimeError(f"connection {pc.connectionState}")
    await asyncio.wait_for(connected, timeout_s)


async def negotiate(pc, role, reader):
    """Offer/answer through stdout/stdin; returns when both descriptions are set."""
    from aiortc import RTCSessionDescription

    if role == "offer":
        await asyncio.wait_for(pc.setLocalDescription(await pc.createOffer()), SIGNAL_TIMEOUT_S)
        emit({"type": "offer", "sdp": pc.localDescription.sdp})
        answer = await reader.next_description("answer", SIGNAL_TIMEOUT_S)
        await pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))
    else:
        offer = await reader.next_description("offer", SIGNAL_TIMEOUT_S)
        await pc.setRemoteDescription(RTCSessionDescription(sdp=offer, type="offer"))
        await asyncio.wait_for(pc.setLocalDescription(await pc.createAnswer()), SIGNAL_TIMEOUT_S)
        emit({"type": "answer", "sdp": pc.localDescription.sdp})


def negotiated_codec(pc):
    """mimeType of the codec negotiated for video. aiortc 1.4 keeps it in the
    private RTCRtpTransceiver._codecs (first = the one used); there is no
    public getter."""
    for transceiver in pc.getTransceivers():
        codecs = transceiver._codecs if hasattr(transceiver, "_codecs") else []
        if codecs:
            return codecs[0].mimeType
    return ""


async def run_recv(pc, args, reader, result):
    from aiortc.mediastreams import MediaStreamError

    track_future = asyncio.get_running_loop().create_future()

    @pc.on("track")
    def on_track(track):
        log(f"remote track: {track.kind}")
        if track.kind == "video" and not track_future.done():
            track_future.set_result(track)

    if args.role == "offer":
        transceiver = pc.addTransceiver("video", direction="recvonly")
        transceiver.setCodecPreferences(h264_codecs_only())
    await negotiate(pc, args.role, reader)
    if args.role == "answer":
        # The offer decided the codecs; refuse anything but H.264.
        codec = negotiated_codec(pc)
        if codec and codec.lower() != "video/h264":
            raise RuntimeError(f"negotiated {codec}, not H.264")

    start = time.monotonic()
    await wait_connected(pc, SIGNAL_TIMEOUT_S)
    result["connected_after_s"] = round(time.monotonic() - start, 3)
    track = await asyncio.wait_for(track_future, SIGNAL_TIMEOUT_S)

    deadline = time.monotonic() + args.duration
    sizes = {}
    first_frame_at = None
    while result["frames_decoded"] < args.min_frames or args.full_duration:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        try:
            frame = await asyncio.wait_for(track.recv(), remaining)
        except asyncio.TimeoutError:
            break
        except MediaStreamError:
            log("remote track ended")
            break
        if first_frame_at is None:
            first_frame_at = time.monotonic()
            result["first_frame_after_s"] = round(first_frame_at - start, 3)
        result["frames_decoded"] += 1
        size = (frame.width, frame.height)
        sizes[size] = sizes.get(size, 0) + 1
        result["width"], result["height"] = frame.width, frame.height
    result["sizes"] = [{"width": w, "height": h, "frames": n} for (w, h), n in sizes.items()]
    result["codec"] = negotiated_codec(pc)
    result["ok"] = result["frames_decoded"] >= args.min_frames
    if not result["ok"]:
        result["error"] = f"decoded {result['frames_decoded']} frames, wanted {args.min_frames}"


async def run_send(pc, args, reader, result):
    track = make_synthetic_track()
    transceiver = pc.addTransceiver(track, direction="sendonly") if args.role == "offer" else None
    if transceiver is not None:
        transceiver.setCodecPreferences(h264_codecs_only())

    if args.role == "answer":
        # As answerer the track is attached to the transceiver the offer made.
        @pc.on("track")
        def on_track(remote_track):
            log(f"remote track: {remote_track.kind} (ignored)")

        from aiortc import RTCSessionDescription

        offer = await reader.next_description("offer", SIGNAL_TIMEOUT_S)
        await pc.setRemoteDescription(RTCSessionDescription(sdp=offer, type="offer"))
        if not any(t.kind == "video" for t in pc.getTransceivers()):
            raise RuntimeError("the offer has no video m-line")
        # addTrack reuses the offer's video transceiver (recvonly from the
        # peer's point of view), so our answer says sendonly.
        pc.addTrack(track)
        await asyncio.wait_for(pc.setLocalDescription(await pc.createAnswer()), SIGNAL_TIMEOUT_S)
        emit({"type": "answer", "sdp": pc.localDescription.sdp})
    else:
        await negotiate(pc, args.role, reader)

    codec = negotiated_codec(pc)
    result["codec"] = codec
    if codec and codec.lower() != "video/h264":
        raise RuntimeError(f"negotiated {codec}, not H.264")
    start = time.monotonic()
    await wait_connected(pc, SIGNAL_TIMEOUT_S)
    result["connected_after_s"] = round(time.monotonic() - start, 3)
    # The sender pulls frames from the track on its own; we only keep the
    # connection up for the asked duration and watch it stay connected.
    # A receiver that has seen enough may close first (DTLS close_notify):
    # that ends the run normally. aiortc 1.4 leaves connectionState at
    # "connected" when only DTLS closed (ICE is still up), so watch the DTLS
    # transport itself.
    dtls = [t.sender.transport for t in pc.getTransceivers() if t.sender.track is track]
    deadline = time.monotonic() + args.duration
    while time.monotonic() < deadline:
        dtls_state = dtls[0].state if dtls else "connected"
        if pc.connectionState != "connected" or dtls_state != "connected":
            log(f"connection {pc.connectionState}, DTLS {dtls_state} while sending: the peer ended the session")
            result["ended_by_peer"] = f"connection {pc.connectionState}, DTLS {dtls_state}"
            break
        await asyncio.sleep(min(0.2, max(0.0, deadline - time.monotonic())))
    result["frames_sent"] = track.frames_made
    result["width"], result["height"] = FRAME_WIDTH, FRAME_HEIGHT
    result["ok"] = track.frames_made > 0
    if not result["ok"]:
        result["error"] = "no frame was sent"


async def main_async(args):
    from aiortc import RTCConfiguration, RTCPeerConnection

    use_loopback_only()
    reader = LineReader(asyncio.get_running_loop())
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    result = {"type": "result", "mode": args.mode, "role": args.role, "ok": False, "width": 0, "height": 0}
    if args.mode == "recv":
        result["frames_decoded"] = 0
    try:
        if args.mode == "recv":
            await run_recv(pc, args, reader, result)
        else:
            await run_send(pc, args, reader, result)
    except Exception as error:  # every failure ends in a result line
        log(f"failed: {type(error).__name__}: {error}")
        result["ok"] = False
        result["error"] = f"{type(error).__name__}: {error}"
    finally:
        log("closing")
        try:
            await asyncio.wait_for(pc.close(), CLOSE_TIMEOUT_S)
        except Exception as error:
            log(f"close: {type(error).__name__}: {error}")
    log("closed")
    emit(result)
    return EXIT_OK if result["ok"] else EXIT_MEDIA_FAILURE


def parse_args(argv):
    parser = argparse.ArgumentParser(description="aiortc peer for picortc interop tests")
    parser.add_argument("mode", choices=["recv", "send"])
    parser.add_argument("--role", choices=["offer", "answer"], default="offer",
                        help="make the offer (default) or answer the peer's offer")
    parser.add_argument("--duration", type=float, default=10.0,
                        help="recv: longest wait for frames; send: how long to send (s)")
    parser.add_argument("--min-frames", type=int, default=30,
                        help="recv: decoded frames needed for success (stops early once reached)")
    parser.add_argument("--full-duration", action="store_true",
                        help="recv: keep counting until --duration even after --min-frames")
    parser.add_argument("--verbose", action="store_true", help="aiortc debug logs on stderr")
    args = parser.parse_args(argv)
    if args.duration <= 0 or args.min_frames < 0:
        parser.error("--duration must be > 0 and --min-frames >= 0")
    return args


def main(argv):
    args = parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING, stream=sys.stderr)
    start_watchdog(args.duration + WATCHDOG_MARGIN_S)
    try:
        import aiortc  # noqa: F401  (fail early and clearly)
    except ImportError as error:
        log(f"cannot import aiortc: {error}")
        emit({"type": "result", "ok": False, "error": f"ImportError: {error}"})
        return EXIT_USAGE
    code = asyncio.run(main_async(args))
    # Leftover aiortc tasks (RTCP timers, encoder threads) must not delay exit.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
