"""How Umbra is booted under each emulator configuration, with every run bounded by a timeout.

A configuration is a name such as "qemu-svm-bios" that fixes the emulator, the CPU model (and so
the virtualization backend Umbra will find) and the firmware.
"""
import os
import shutil
import signal
import subprocess
import tempfile
import time

OVMF_CANDIDATES = ["/usr/share/ovmf/OVMF.fd", "/usr/share/OVMF/OVMF_CODE.fd"]

# QEMU's isa-debug-exit turns outb(0xf4, V) into the exit status (V << 1) | 1.
QEMU_DEBUG_EXIT = ["-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]

CONFIGS = {
    # name: (emulator, cpu model, firmware, backend Umbra should pick)
    "qemu-svm-bios": ("qemu", "qemu64,+svm", "bios", "svm"),
    "qemu-svm-uefi": ("qemu", "qemu64,+svm", "uefi", "svm"),
    # OVMF boots build/umbra-usb.img-style disk images from a USB stick, through umbra.efi.
    "qemu-svm-usb": ("qemu", "qemu64,+svm", "uefi-usb", "svm"),
    # SeaBIOS boots the same image from the same stick through GRUB (legacy BIOS).
    "qemu-svm-usb-bios": ("qemu", "qemu64,+svm", "bios-usb", "svm"),
    # XSAVE without XSAVEOPT: QEMU TCG hangs on MOV to CR4.OSXSAVE (arch/cpu_info.c).
    "qemu-svm-xsave-bios": ("qemu", "qemu64,+svm,+xsave", "bios", "svm"),
    "qemu-opteron-g5-bios": ("qemu", "Opteron_G5,+svm", "bios", "svm"),
    # Nested paging for mmu=tdp: QEMU's qemu64 model has SVM without NPT unless asked.
    "qemu-npt-bios": ("qemu", "qemu64,+svm,+npt", "bios", "svm"),
    "bochs-vmx-bios": ("bochs", "corei7_skylake_x", "bios", "vmx"),
    "bochs-svm-bios": ("bochs", "ryzen", "bios", "svm"),
}


class RunResult:
    def __init__(self, output, exit_code, timed_out, seconds):
        self.output = output          # serial output, decoded, \r removed
        self.exit_code = exit_code    # the emulator's own exit status (None on timeout)
        self.timed_out = timed_out
        self.seconds = seconds


def usb_stick(image):
    """QEMU options for a raw disk image as a USB mass-storage stick on an xHCI controller.
    snapshot=on: the image is opened read-only (runs may share it), writes go to a temporary
    file."""
    return ["-drive", f"if=none,id=stick,format=raw,snapshot=on,file={image}",
            "-device", "qemu-xhci", "-device", "usb-storage,drive=stick"]


def qemu_command(iso, serial_path, cpu, firmware, mem_mb, extra):
    medium = usb_stick(iso) if firmware.endswith("-usb") else ["-cdrom", iso, "-boot", "d"]
    cmd = ["qemu-system-x86_64", "-machine", "q35", "-cpu", cpu, "-m", f"{mem_mb}M"] + medium + [
           "-serial", f"file:{serial_path}", "-display", "none",
           "-monitor", "none", "-no-reboot", "-nodefaults", "-vga", "std"] + QEMU_DEBUG_EXIT
    if firmware in ("uefi", "uefi-usb"):
        ovmf = next((p for p in OVMF_CANDIDATES if os.path.exists(p)), None)
        if ovmf is None:
            raise RuntimeError("OVMF firmware not found (package ovmf)")
        cmd += ["-bios", ovmf]
    return cmd + list(extra)


# Deterministic time: one instruction is 1 ns of guest time, whatever the host's load (the
# native runs of tests_bench_guests.py; QEMU boots through -kernel with it).
QEMU_ICOUNT = ["-icount", "shift=0,sleep=off"]


def native_qemu_command(kernel, append, serial_path, cpu, mem_mb, initrd=None, extra=()):
    """The QEMU command that boots kernel without Umbra on the machine of qemu_command: QEMU's
    own loader (-kernel: a multiboot v1 ELF or a Linux bzImage, -initrd), the command line
    append, COM1 into serial_path, isa-debug-exit at 0xf4. Timing options (-icount) are the
    caller's, in extra."""
    cmd = ["qemu-system-x86_64", "-machine", "q35", "-cpu", cpu, "-m", f"{mem_mb}M",
           "-kernel", kernel, "-append", append]
    if initrd is not None:
        cmd += ["-initrd", initrd]
    cmd += ["-serial", f"file:{serial_path}", "-display", "none", "-monitor", "none",
            "-no-reboot", "-nodefaults"] + QEMU_DEBUG_EXIT
    return cmd + list(extra)


def finish_run(workdir, serial_path, rc, timed_out, emu_out, secs):
    """Keeps the emulator's own output in workdir and returns the run's RunResult."""
    with open(os.path.join(workdir, "emulator.out"), "w") as f:
        f.write(emu_out)
    try:
        with open(serial_path, "rb") as f:
            serial = f.read().decode(errors="replace").replace("\r", "")
    except FileNotFoundError:
        serial = ""
    return RunResult(serial, rc, timed_out, secs)


def boot_native(config, kernel, append, workdir, timeout, mem_mb=256, initrd=None,
                extra=QEMU_ICOUNT):
    """Boots kernel without Umbra on config's QEMU machine (native_qemu_command, by default
    with deterministic time); returns a RunResult with the serial output."""
    emulator, cpu, _, _ = CONFIGS[config]
    if emulator != "qemu":
        raise RuntimeError(f"{config}: native runs are QEMU runs")
    os.makedirs(workdir, exist_ok=True)
    serial_path = os.path.join(workdir, "serial.out")
    if os.path.exists(serial_path):
        os.unlink(serial_path)
    cmd = native_qemu_command(kernel, append, serial_path, cpu, mem_mb, initrd, extra)
    rc, timed_out, emu_out, secs = run_process(cmd, timeout)
    return finish_run(workdir, serial_path, rc, timed_out, emu_out, secs)


# Instructions per emulated second. clock sync=none makes runs deterministic: emulated time
# follows instructions executed, ips of them per second. The default is low because BIOS and GRUB
# wait in emulated time: fewer instructions per second of emulated time boots faster. A guest
# with a periodic timer needs more: at 10 million a second the CPU is a slow one, and Linux's
# 250 Hz tick, taken through Umbra's exits, leaves the guest little else (tests_linux.py).
BOCHS_IPS = 10000000


def bochs_config(iso, serial_path, log_path, cpu, mem_mb, ips=BOCHS_IPS):
    return f"""config_interface: textconfig
display_library: rfb, options="timeout=0"
megs: {mem_mb}
cpu: model={cpu}, count=1, ips={ips}, reset_on_triple_fault=0
ata0-master: type=cdrom, path={iso}, status=inserted
boot: cdrom
clock: sync=none, time0=946681200
com1: enabled=1, mode=file, dev={serial_path}
log: {log_path}
panic: action=fatal
error: action=report
info: action=report
debug: action=ignore
speaker: enabled=0
sound: waveoutdrv=dummy, waveindrv=dummy, midioutdrv=dummy
"""


def qemu_screendump(sock_path, out_path, wait=10):
    """Asks QEMU's monitor (a unix socket) for a screendump into out_path (PPM); True once the
    file is complete."""
    import socket
    try:
        with socket.socket(socket.AF_UNIX) as s:
            s.connect(sock_path)
            s.sendall(f"screendump {out_path}\n".encode())
            end = time.monotonic() + wait
            last = -1
            while time.monotonic() < end:
                time.sleep(0.5)
                size = os.path.getsize(out_path) if os.path.exists(out_path) else -1
                if size > 0 and size == last:
                    return True
                last = size
    except OSError:
        pass
    return False


def qemu_sendkeys(sock_path, keys, delay=0.15):
    """Types keys (QEMU key names: "h", "ret", "ctrl-a") on the emulated keyboard through
    QEMU's monitor; False when the monitor cannot be reached."""
    import socket
    try:
        with socket.socket(socket.AF_UNIX) as s:
            s.connect(sock_path)
            for k in keys:
                s.sendall(f"sendkey {k}\n".encode())
                time.sleep(delay)
    except OSError:
        return False
    return True


def wait_for(path, regex, timeout):
    """Waits until the file at path matches regex; True if it did in time."""
    import re
    rx = re.compile(regex, re.M)
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with open(path, "rb") as f:
                if rx.search(f.read().decode(errors="replace").replace("\r", "")):
                    return True
        except FileNotFoundError:
            pass
        time.sleep(0.25)
    return False


def run_process(cmd, timeout, cwd=None, stdin=subprocess.DEVNULL, until=None, before_kill=None):
    """Runs cmd in its own process group; kills the whole group on timeout. until: (path,
    regex): the run also ends, successfully, as soon as the file at path matches regex (for
    runs that never end by themselves, such as firmware left waiting after a failed boot)."""
    start = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=cwd, stdin=stdin, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    if until is not None:
        import re
        path, rx = until[0], re.compile(until[1], re.M)
        while proc.poll() is None and time.monotonic() - start < timeout:
            try:
                with open(path, "rb") as f:
                    if rx.search(f.read().decode(errors="replace").replace("\r", "")):
                        time.sleep(0.5)     # the rest of the line and what follows at once
                        if before_kill:
                            before_kill()
                        os.killpg(proc.pid, signal.SIGKILL)
                        out, _ = proc.communicate()
                        return None, False, out.decode(errors="replace"), time.monotonic() - start
            except FileNotFoundError:
                pass
            time.sleep(0.25)
    try:
        out, _ = proc.communicate(timeout=timeout)
        return proc.returncode, False, out.decode(errors="replace"), time.monotonic() - start
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        return None, True, out.decode(errors="replace"), time.monotonic() - start


def boot(config, iso, workdir, timeout, mem_mb=512, qemu_extra=(), bochs_ips=BOCHS_IPS,
         until=None, screendump=False, uart_iobase=None, keys=(), keys_until=None):
    """Boots iso (a disk image for a *-usb config) under config; returns a RunResult with
    the serial output. until: a regex that ends a QEMU run once the serial output matches;
    screendump: the screen is then saved as WORKDIR/screen.ppm first (QEMU monitor).
    uart_iobase: QEMU's only UART sits at this port instead of COM1 (a machine without
    COM1). keys: once until matched, these are typed on the PS/2 keyboard, and the run
    waits (at most 30 s) for keys_until on the serial output before it ends."""
    emulator, cpu, firmware, _ = CONFIGS[config]
    os.makedirs(workdir, exist_ok=True)
    serial_path = os.path.join(workdir, "serial.out")
    if os.path.exists(serial_path):
        os.unlink(serial_path)
    if emulator == "qemu":
        cmd = qemu_command(iso, serial_path, cpu, firmware, mem_mb, qemu_extra)
        if uart_iobase is not None:
            i = cmd.index(f"file:{serial_path}")
            cmd[i - 1:i + 1] = ["-chardev", f"file,id=uart,path={serial_path}", "-device",
                                f"isa-serial,iobase={uart_iobase:#x},irq=3,chardev=uart"]
        before_kill = None
        if screendump or keys:
            sock = os.path.join(workdir, "monitor.sock")
            screen = os.path.join(workdir, "screen.ppm")
            for path in (sock, screen):
                if os.path.exists(path):
                    os.unlink(path)
            cmd[cmd.index("-monitor") + 1] = f"unix:{sock},server=on,wait=off"

            def before_kill():
                if keys and qemu_sendkeys(sock, keys) and keys_until:
                    wait_for(serial_path, keys_until, 30)
                if screendump:
                    qemu_screendump(sock, screen)
        rc, timed_out, emu_out, secs = run_process(
            cmd, timeout, until=(serial_path, until) if until else None, before_kill=before_kill)
    else:
        rc_path = os.path.join(workdir, "bochsrc")
        with open(rc_path, "w") as f:
            f.write(bochs_config(os.path.abspath(iso), serial_path,
                                 os.path.join(workdir, "bochs.log"), cpu, mem_mb, bochs_ips))
        cmds = os.path.join(workdir, "bochs.cmds")
        with open(cmds, "w") as f:
            f.write("c\nq\n")
        rc, timed_out, emu_out, secs = run_process(
            ["bochs", "-q", "-f", rc_path, "-rc", cmds], timeout)
    return finish_run(workdir, serial_path, rc, timed_out, emu_out, secs)


def available(config):
    """Returns None if config can run here, else the reason it cannot."""
    emulator, _, firmware, _ = CONFIGS[config]
    binary = "qemu-system-x86_64" if emulator == "qemu" else "bochs"
    if shutil.which(binary) is None:
        return f"{binary} not installed"
    if firmware in ("uefi", "uefi-usb") and not any(os.path.exists(p) for p in OVMF_CANDIDATES):
        return "OVMF not installed"
    return None


if __name__ == "__main__":
    # `emulators.py bochsrc ISO SERIAL LOG CPU MEGS [IPS]` prints the Bochs configuration that
    # the tests use, so interactive runs (tools/run.sh) boot exactly the same machine.
    import sys
    if len(sys.argv) not in (7, 8) or sys.argv[1] != "bochsrc":
        sys.exit("usage: emulators.py bochsrc ISO SERIAL LOG CPU MEGS [IPS]")
    iso, serial, log, cpu, megs = sys.argv[2:7]
    ips = int(sys.argv[7]) if len(sys.argv) == 8 else BOCHS_IPS
    sys.stdout.write(bochs_config(os.path.abspath(iso), serial, log, cpu, int(megs), ips))


def _free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def boot_interactive(config, iso, workdir, timeout, script, mem_mb=512, bochs_ips=BOCHS_IPS):
    """Boots iso with COM1 on a TCP socket and plays script against it: a list of
    ("expect", regex) steps, each waiting (within the run's timeout) for new output to match,
    ("send", text) steps that type text, and ("sleep", seconds) steps that wait without reading
    the socket, as a client that is busy elsewhere would. Returns a RunResult whose output is
    everything read, and whose exit_code is the emulator's; a step that never matches ends
    the run."""
    import re
    import select
    import socket
    import threading

    emulator, cpu, firmware, _ = CONFIGS[config]
    os.makedirs(workdir, exist_ok=True)
    port = _free_port()
    if emulator == "qemu":
        cmd = qemu_command(iso, "/dev/null", cpu, firmware, mem_mb, ())
        cmd[cmd.index("file:/dev/null")] = f"tcp:127.0.0.1:{port},server=on,wait=on"
    else:
        rc_path = os.path.join(workdir, "bochsrc")
        conf = bochs_config(os.path.abspath(iso), "unused", os.path.join(workdir, "bochs.log"),
                            cpu, mem_mb, bochs_ips)
        conf = conf.replace("com1: enabled=1, mode=file, dev=unused",
                            f"com1: enabled=1, mode=socket-server, dev=localhost:{port}")
        with open(rc_path, "w") as f:
            f.write(conf)
        cmds = os.path.join(workdir, "bochs.cmds")
        with open(cmds, "w") as f:
            f.write("c\nq\n")
        cmd = ["bochs", "-q", "-f", rc_path, "-rc", cmds]
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    received = bytearray()
    lock = threading.Lock()
    sock = None
    for _ in range(200):
        try:
            sock = socket.create_connection(("127.0.0.1", port), timeout=1)
            break
        except OSError:
            time.sleep(0.1)

    reading = threading.Event()     # cleared by a ("sleep", s) step: the reader parks
    parked = threading.Event()
    reading.set()

    def reader():
        while True:
            if not reading.is_set():
                parked.set()
                reading.wait()
            try:
                if not select.select([sock], [], [], 0.1)[0]:
                    continue    # quiet for a while (firmware, GRUB): keep listening
                data = sock.recv(4096)
            except socket.timeout:
                continue
            except (OSError, ValueError):
                return
            if not data:
                return
            with lock:
                received.extend(data)

    failed_step = None
    if sock is not None:
        reader_thread = threading.Thread(target=reader, daemon=True)
        reader_thread.start()
        drained = False     # the emulator ended and the reader had its chance at the rest
        pos = 0
        captured = {}   # named groups of earlier expects; "{{NAME}}" in a pattern is the value
        for kind, arg in script:
            if kind == "send":
                sock.sendall(arg.encode())
                continue
            if kind == "sleep":
                parked.clear()
                reading.clear()
                parked.wait(1)
                time.sleep(arg)
                reading.set()
                continue
            for name, value in captured.items():
                arg = arg.replace("{{%s}}" % name, re.escape(value))
            rx = re.compile(arg)
            while True:
                with lock:
                    text = received.decode(errors="replace").replace("\r", "")
                m = rx.search(text, pos)
                if m:
                    pos = m.end()
                    captured.update({k: v for k, v in m.groupdict().items() if v is not None})
                    break
                if proc.poll() is not None and not drained:
                    reader_thread.join(2)   # its last output may still be on the way
                    drained = True
                    continue
                if time.monotonic() - start > timeout or proc.poll() is not None:
                    failed_step = arg
                    break
                time.sleep(0.05)
            if failed_step:
                break
    timed_out = False
    try:
        proc.wait(timeout=max(1, timeout - (time.monotonic() - start)))
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        timed_out = True
    time.sleep(0.2)
    if sock is not None:
        sock.close()
    out = received.decode(errors="replace").replace("\r", "")
    with open(os.path.join(workdir, "serial.out"), "w") as f:
        f.write(out)
    result = RunResult(out, None if timed_out else proc.returncode, timed_out,
                       time.monotonic() - start)
    result.failed_step = failed_step
    return result
