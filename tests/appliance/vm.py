"""A till in a virtual machine, driven the way a person would drive it.

QMP gives the hands and eyes: keys on the virtual keyboard (`send-key`),
touches on the virtual tablet (`input-send-event`), the picture
(`screendump`), and the power switch (`system_reset`, `quit`). A small
agent in the test image (guest/till-test-agent) runs shell commands on a
virtio-serial port, for what a technician would type over SSH:
`systemctl`, `journalctl`, `tillctl`. The serial console is kept as a log.
Python's standard library only.
"""
import base64
import json
import os
import re
import shutil
import socket
import subprocess
import time


class QMP:
    """The QEMU machine protocol over a Unix socket."""

    def __init__(self, path, timeout=60):
        deadline = time.time() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX)
                self.sock.connect(path)
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.1)
        self.file = self.sock.makefile("rwb")
        json.loads(self.file.readline())  # the greeting
        self.cmd("qmp_capabilities")

    def cmd(self, execute, **arguments):
        msg = {"execute": execute}
        if arguments:
            msg["arguments"] = arguments
        self.file.write(json.dumps(msg).encode() + b"\n")
        self.file.flush()
        while True:
            line = self.file.readline()
            if not line:
                raise ConnectionError("QEMU went away")
            reply = json.loads(line)
            if "event" in reply:
                continue
            if "error" in reply:
                raise RuntimeError(f"{execute}: {reply['error']}")
            return reply.get("return")

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


# Characters to QEMU key codes (a US keyboard layout).
_SHIFTED = {"!": "1", "@": "2", "#": "3", "$": "4", "%": "5", "^": "6", "&": "7",
            "*": "8", "(": "9", ")": "0", "_": "minus", "+": "equal", ":": "semicolon"}
_PLAIN = {" ": "spc", "-": "minus", "=": "equal", ".": "dot", ",": "comma",
          "/": "slash", ";": "semicolon", "\n": "ret"}


def qcodes(ch):
    """The keys that type `ch`."""
    if ch.isdigit() or ("a" <= ch <= "z"):
        return [ch]
    if "A" <= ch <= "Z":
        return ["shift", ch.lower()]
    if ch in _PLAIN:
        return [_PLAIN[ch]]
    if ch in _SHIFTED:
        return ["shift", _SHIFTED[ch]]
    raise ValueError(f"no key for {ch!r}")


class Agent:
    """Shell commands in the guest, over the virtio-serial channel."""

    def __init__(self, path):
        self.path = path
        self.sock = None
        self.next = 1

    def wait_ready(self, timeout):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                self.sock = socket.socket(socket.AF_UNIX)
                self.sock.connect(self.path)
                self.sock.settimeout(max(1.0, deadline - time.time()))
                self.file = self.sock.makefile("rwb")
                line = self.file.readline()
                if line.startswith(b"ready"):
                    return float(line.split()[1])
            except (OSError, ValueError):
                pass
            time.sleep(1)
        raise TimeoutError("the guest agent never said ready")

    def run(self, command, timeout=120):
        """(exit code, output) of `command` run by bash in the guest, as root."""
        n = self.next
        self.next += 1
        self.sock.settimeout(timeout)
        self.file.write(f"{n} {base64.b64encode(command.encode()).decode()}\n".encode())
        self.file.flush()
        while True:
            line = self.file.readline()
            if not line:
                raise ConnectionError("the guest agent went away")
            parts = line.decode().split(" ", 2)
            if parts[0] == "ready":
                continue
            if int(parts[0]) == n:
                out = base64.b64decode(parts[2]) if len(parts) > 2 else b""
                return int(parts[1]), out.decode(errors="replace")

    def ok(self, command, timeout=120):
        rc, out = self.run(command, timeout)
        if rc != 0:
            raise AssertionError(f"`{command}` exited {rc}: {out.strip()}")
        return out

    def close(self):
        if self.sock:
            try:
                self.sock.close()
            except OSError:
                pass
            self.sock = None


class VM:
    """One boot of the till: QEMU with the root disk, the state disk,
    virtio-gpu, keyboard, tablet, QMP and the agent's channel."""

    def __init__(self, work, arch, kernel, initrd, root_img, state_img, cmdline,
                 serial_path, size=(1280, 800), smp=2, memory=1536, extra_disks=()):
        self.work, self.arch = work, arch
        self.size = size
        self.qmp_path = os.path.join(work, "qmp.sock")
        self.agent_path = os.path.join(work, "agent.sock")
        self.serial_path = serial_path
        for p in (self.qmp_path, self.agent_path):
            if os.path.exists(p):
                os.unlink(p)
        accel = self._accel()
        if arch == "amd64":
            qemu = ["qemu-system-x86_64", "-machine", "q35", "-cpu", "max"]
            disk_if, console = "virtio", "ttyS0"
        else:
            qemu = ["qemu-system-aarch64", "-machine", "virt", "-cpu", "max"]
            disk_if, console = "virtio", "ttyAMA0"
        self.args = qemu + [
            "-accel", accel, "-smp", str(smp), "-m", str(memory),
            "-nodefaults", "-no-user-config", "-display", "none",
            "-kernel", kernel, "-initrd", initrd,
            # Neither ro nor rw, as on Raspberry Pi OS: the initramfs mounts the
            # root disk read-only and overlayroot puts a writable RAM overlay on it.
            "-append", f"root=/dev/vda console={console} {cmdline}",
            "-drive", f"file={root_img},if={disk_if},format=raw,index=0",
            "-drive", f"file={state_img},if={disk_if},format=raw,index=1",
        ] + [arg for i, d in enumerate(extra_disks) for arg in
             ("-drive", f"file={d},if={disk_if},format=raw,index={i + 2}")] + [
            "-device", f"virtio-gpu-pci,xres={size[0]},yres={size[1]}",
            "-device", "virtio-keyboard-pci",
            "-device", "virtio-tablet-pci",
            "-device", "virtio-serial-pci",
            "-chardev", f"socket,id=agent,path={self.agent_path},server=on,wait=off",
            "-device", "virtserialport,chardev=agent,name=till.agent",
            "-serial", f"file:{self.serial_path}",
            "-qmp", f"unix:{self.qmp_path},server=on,wait=off",
            "-nic", "none",
        ]
        self.started = time.time()
        self.proc = subprocess.Popen(self.args, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.qmp = QMP(self.qmp_path)
        self.agent = Agent(self.agent_path)

    @staticmethod
    def _accel():
        # A KVM guest here has been seen to hang at boot: TCG unless asked.
        if os.environ.get("TILL_APPLIANCE_KVM") == "1" and os.access("/dev/kvm", os.W_OK):
            return "kvm"
        return "tcg"

    def serial(self):
        try:
            with open(self.serial_path, "rb") as f:
                return f.read().decode(errors="replace")
        except OSError:
            return ""

    def wait_serial(self, needle, timeout, after=0):
        """Waits for `needle` in the serial log past offset `after`; returns
        the log's length where it was found."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            s = self.serial()
            i = s.find(needle, after)
            if i >= 0 and s.find("\n", i) >= 0:  # the whole line is there
                return i + len(needle)
            if self.proc.poll() is not None:
                raise RuntimeError(f"QEMU exited: {self.proc.stderr.read().decode()[-2000:]}")
            time.sleep(0.2)
        raise TimeoutError(f"no {needle!r} on the serial line within {timeout} s")

    # -- a person's hands and eyes --------------------------------------------------

    def key(self, *keys, hold_ms=60):
        self.qmp.cmd("send-key", keys=[{"type": "qcode", "data": k} for k in keys],
                     **{"hold-time": hold_ms})
        time.sleep(0.08)

    def type(self, text):
        for ch in text:
            self.key(*qcodes(ch))

    def tap(self, x, y):
        """A finger on the screen at pixel (x, y)."""
        ax = round(x * 32767 / (self.size[0] - 1))
        ay = round(y * 32767 / (self.size[1] - 1))
        move = [{"type": "abs", "data": {"axis": "x", "value": ax}},
                {"type": "abs", "data": {"axis": "y", "value": ay}}]
        self.qmp.cmd("input-send-event", events=move)
        self.qmp.cmd("input-send-event",
                     events=[{"type": "btn", "data": {"down": True, "button": "left"}}])
        time.sleep(0.1)
        self.qmp.cmd("input-send-event",
                     events=[{"type": "btn", "data": {"down": False, "button": "left"}}])
        time.sleep(0.2)

    def screendump(self, path):
        self.qmp.cmd("screendump", filename=path, format="png")
        return path

    def colour_share(self, path, rgb, tolerance=24):
        """The share of the screen's pixels within `tolerance` of `rgb` in
        every channel (a PPM screendump, which needs no decoder)."""
        self.qmp.cmd("screendump", filename=path, format="ppm")
        return ppm_colour_share(path, rgb, tolerance)

    # -- the power switch -----------------------------------------------------------

    def reset(self):
        """A power cut, from the guest's point of view: its RAM (and page
        cache) is gone; what reached the disk stays."""
        self.agent.close()
        self.qmp.cmd("system_reset")

    def stop(self):
        self.agent.close()
        try:
            self.qmp.cmd("quit")
        except (ConnectionError, OSError, RuntimeError):
            pass
        self.qmp.close()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def png_is_a_picture(path):
    """Whether a PNG screendump shows something (not one flat colour):
    the IDAT of a flat image compresses to almost nothing."""
    with open(path, "rb") as f:
        data = f.read()
    return data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 4000


def ppm_colour_share(path, rgb, tolerance=24, step=7):
    """The share of a binary PPM's pixels (every `step`th) near `rgb`."""
    with open(path, "rb") as f:
        data = f.read()
    m = re.match(rb"P6\s+(\d+)\s+(\d+)\s+255\s", data)
    if not m:
        raise ValueError(f"{path} is not a binary PPM")
    px = data[m.end():]
    n = int(m.group(1)) * int(m.group(2))
    near = total = 0
    for i in range(0, n, step):
        r, g, b = px[3 * i:3 * i + 3]
        total += 1
        near += abs(r - rgb[0]) <= tolerance and abs(g - rgb[1]) <= tolerance and abs(b - rgb[2]) <= tolerance
    return near / total


def copy(src, dst):
    shutil.copyfile(src, dst)
