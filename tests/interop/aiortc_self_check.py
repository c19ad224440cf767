#!/usr/bin/python3
"""Runs aiortc_peer.py against itself over pipes (recv <-> send), to check the
Python side of the interop tests without any picortc code:

    /usr/bin/python3 tests/interop/aiortc_self_check.py [--offerer recv|send|both]

Exit code 0 when the receiver decoded enough 640x480 frames (in both offer
directions with --offerer both, the default), 77 (CTest's skip code here)
when this interpreter cannot import aiortc. docs/interop.md.
"""

import argparse
import json
import os
import subprocess
import sys
import threading

PEER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "aiortc_peer.py")
TIMEOUT_S = 60
EXIT_SKIP = 77


def read_json_line(process, name, timeout_s):
    """The next JSON line of process's stdout, or None after timeout_s."""
    box = []

    def read():
        box.append(process.stdout.readline())

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    thread.join(timeout_s)
    if not box or not box[0]:
        print(f"self_check: no line from {name}", file=sys.stderr)
        return None
    return json.loads(box[0])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--offerer", choices=["recv", "send", "both"], default="both")
    parser.add_argument("--min-frames", type=int, default=60)
    args = parser.parse_args()
    try:
        import aiortc  # noqa: F401
    except ImportError as error:
        print(f"self_check: skipped, {sys.executable} cannot import aiortc: {error}")
        return EXIT_SKIP
    offerers = ["recv", "send"] if args.offerer == "both" else [args.offerer]
    failed = [offerer for offerer in offerers if run_pair(offerer, args.min_frames) != 0]
    if failed:
        print(f"self_check: FAILED with the {' and '.join(failed)} side offering")
        return 1
    return 0


def run_pair(offerer_mode, min_frames):
    """One aiortc recv <-> aiortc send session; offerer_mode makes the offer."""
    answerer = "send" if offerer_mode == "recv" else "recv"
    common = [sys.executable, PEER]
    mode_args = {
        "recv": ["recv", "--duration", "20", "--min-frames", str(min_frames)],
        "send": ["send", "--duration", "20"],
    }
    offerer = subprocess.Popen(common + mode_args[offerer_mode] + ["--role", "offer"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    answering = subprocess.Popen(common + mode_args[answerer] + ["--role", "answer"],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        offer = read_json_line(offerer, "offerer", 20)
        if offer is None or offer.get("type") != "offer":
            return 1
        answering.stdin.write(json.dumps(offer) + "\n")
        answering.stdin.flush()
        answer = read_json_line(answering, "answerer", 20)
        if answer is None or answer.get("type") != "answer":
            return 1
        offerer.stdin.write(json.dumps(answer) + "\n")
        offerer.stdin.flush()

        receiver = offerer if offerer_mode == "recv" else answering
        result = read_json_line(receiver, "receiver", TIMEOUT_S)
        print(f"self_check: receiver result {json.dumps(result)}")
        if result is None:
            return 1
        ok = (result.get("ok") and result.get("frames_decoded", 0) >= min_frames
              and result.get("width") == 640 and result.get("height") == 480)
        return 0 if ok else 1
    finally:
        for process in (offerer, answering):
            process.stdin.close()
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


if __name__ == "__main__":
    sys.exit(main())
