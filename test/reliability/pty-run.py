#!/usr/bin/env python3
"""Runs a command on a pseudo-terminal, ends it one way, and reports how it left the terminal.

Usage: pty-run.py ACTION [--wait-for TEXT] -- COMMAND...
  ACTION: q | ctrl-c (keys typed into the terminal) | SIGTERM | SIGINT | SIGHUP | SIGQUIT (sent to the process)
  --forbid TEXT (backslash escapes allowed, e.g. \\x1b]0;): report whether TEXT was ever written
  --wait-for TEXT: before ACTION, wait (30 s at most) until TEXT has been drawn; the report says
  whether it was ("sawText") and the largest "step N" drawn ("maxStep").

Waits until the program has drawn a few frames, performs ACTION, waits for the exit (10 s at most,
then SIGKILL), and prints one JSON object: exit code or signal, whether the terminal modes (echo,
canonical input) are back to what they were, and the escape sequences that matter (alternate
screen, cursor visibility) in order. Used by test/reliability/interrupt.test.ts.
"""
import fcntl
import json
import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time

action = sys.argv[1]
options = sys.argv[2:sys.argv.index("--")]
wait_for = options[options.index("--wait-for") + 1].encode("utf-8") if "--wait-for" in options else None
# --forbid TEXT: the report says whether TEXT was ever written to the terminal ("sawForbidden")
forbid = options[options.index("--forbid") + 1].encode("utf-8").decode("unicode_escape").encode("latin-1") if "--forbid" in options else None
command = sys.argv[sys.argv.index("--") + 1:]

master, slave = os.openpty()
fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
before = termios.tcgetattr(slave)

env = dict(os.environ)
env.pop("CI", None)
env["TERM"] = "xterm-256color"
process = subprocess.Popen(command, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True)

output = bytearray()


def drain(seconds):
    end = time.time() + seconds
    while time.time() < end:
        ready, _, _ = select.select([master], [], [], 0.05)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                return
            if not chunk:
                return
            output.extend(chunk)
        elif process.poll() is not None:
            return


# Ready: the alternate screen is entered and a few frames have been drawn.
deadline = time.time() + 20
while time.time() < deadline and process.poll() is None:
    drain(0.1)
    if b"\x1b[?1049h" in output and len(output) > 4000:
        break
drain(0.25)
saw_text = None
if wait_for is not None:
    deadline = time.time() + 30
    while wait_for not in output and time.time() < deadline and process.poll() is None:
        drain(0.1)
    saw_text = wait_for in output
    drain(0.5)  # a few more frames' worth: nothing should move while paused
ready = process.poll() is None

if action == "q":
    os.write(master, b"q")
elif action == "ctrl-c":
    os.write(master, b"\x03")
else:
    os.kill(process.pid, getattr(signal, action))

deadline = time.time() + 10
while process.poll() is None and time.time() < deadline:
    drain(0.1)
killed = process.poll() is None
if killed:
    process.kill()
    process.wait()
drain(0.2)

after = termios.tcgetattr(slave)
LFLAG = 3
modes = termios.ICANON | termios.ECHO | termios.ISIG


def last(sequence):
    return output.rfind(sequence)


print(json.dumps({
    "ready": ready,
    "killed": killed,
    "code": process.returncode,
    "modesRestored": (before[LFLAG] & modes) == (after[LFLAG] & modes),
    "enteredAltScreen": last(b"\x1b[?1049h") >= 0,
    "leftAltScreenLast": last(b"\x1b[?1049l") > last(b"\x1b[?1049h"),
    "cursorShownLast": last(b"\x1b[?25h") >= last(b"\x1b[?25l"),
    "tail": output[-300:].decode("utf-8", "replace"),
    "sawText": saw_text,
    "sawForbidden": (forbid in output) if forbid is not None else None,
    "maxStep": max([int(n) for n in re.findall(rb"step (\d+)", output)], default=None),
}))
