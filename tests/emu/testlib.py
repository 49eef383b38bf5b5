"""The description of one emulator test, shared by the tests_*.py files."""
import os
import re
import tempfile

import emulators

ALL_CONFIGS = ["qemu-svm-bios", "qemu-svm-uefi", "bochs-vmx-bios"]


class Test:
    """One boot of Umbra, run under each configuration in `configs`.

    args:     Umbra's command line
    modules:  function(ctx) -> [(path, module string)], files created on demand
    expect:   patterns (regular expressions) that must match lines in this order; an entry may
              also be a function(config, ctx) returning the pattern
    forbid:   patterns that must match no line
    status:   Umbra's expected exit status value (UMBRA_EXIT_* or a guest's)
    audit:    for a test that runs a guest: Umbra audits its shadow MMU when the guest stops
              (audit=exit) and the run must report 0 violations
    usb_cfg:  for a qemu-svm-usb run: the text of umbra.cfg, in place of the one made from
              args and modules (to test the loader's own errors)
    until:    a regex: the run ends as soon as a serial line matches it (for runs that never
              reach Umbra, where nothing ends the emulator)
    qemu_extra: more QEMU options: a list, or function(ctx) -> list
    keys:     QEMU key names typed on the PS/2 keyboard once `until` matched; keys_until: a
              regex the serial output must then match before the run ends
    uart_iobase: QEMU's one UART sits at this I/O port, and there is none at COM1
    screen:   function(workdir, serial_output, ctx) -> [problems]: the run (which needs
              `until`) saves the screen as WORKDIR/screen.ppm before it ends, and this checks it
    status None: Umbra is not expected to run, so no exit status is checked
    post:     function(config, serial_output, ctx) -> [problems]: a check of the whole output
              once the patterns matched (figures across lines, e.g. mark deltas)
    native:   function(ctx) -> (kernel, append): the run boots kernel without Umbra, through
              QEMU's own loader (emulators.boot_native; QEMU configs only); status is then the
              kernel's debug-exit value, checked through QEMU's exit status
    script:   when given, COM1 is a TCP socket and the harness types on it: a list of
              ("expect", regex), ("send", text) and ("sleep", seconds) steps played in
              order (a sleep reads nothing meanwhile); a named group (?P<NAME>...) of one
              expect can be required again later as {{NAME}}
    """

    def __init__(self, name, configs=None, args="debug_exit=on", modules=None, expect=(),
                 forbid=(r"HOST EXCEPTION", r"PANIC"), status=0x10, timeout=120, mem_mb=512,
                 qemu_extra=(), audit=True, script=None, bochs_ips=None, long=False,
                 usb_cfg=None, until=None, screen=None, uart_iobase=None, keys=(),
                 keys_until=None, post=None, native=None):
        self.name = name
        self.configs = list(configs or ALL_CONFIGS)
        self.args = args
        self.modules = modules
        self.expect = list(expect)
        self.forbid = list(forbid)
        self.status = status
        self.timeout = timeout
        self.mem_mb = mem_mb
        self.qemu_extra = qemu_extra if callable(qemu_extra) else list(qemu_extra)
        self.audit = audit          # a guest run ends with Umbra's shadow-MMU audit, checked
        self.script = script        # console dialogue: [("expect", regex) | ("send", text)]
        self.bochs_ips = bochs_ips or emulators.BOCHS_IPS   # Bochs: instructions per second
        self.long = long            # a long variant: run by `make test-long` (--long), not `make test`
        self.usb_cfg = usb_cfg      # qemu-svm-usb: umbra.cfg's text, instead of a generated one
        self.until = until          # a regex ending the run when a serial line matches
        self.screen = screen        # a check of the screendump taken before the run ends
        self.uart_iobase = uart_iobase  # the UART's port when the machine has no COM1
        self.keys = list(keys)      # typed on the keyboard once `until` matched
        self.keys_until = keys_until
        self.post = post            # a check of the whole output: function(config, out, ctx)
        self.native = native        # boots a kernel without Umbra: function(ctx) -> (path, append)

    def module_files(self, ctx):
        return self.modules(ctx) if self.modules else []

    def expected(self, config, ctx):
        return [p(config, ctx) if callable(p) else p for p in self.expect]


def backend_of(config):
    """The backend Umbra must pick under config: 'vmx' or 'svm'."""
    return emulators.CONFIGS[config][3]


def write_file(path, data):
    """Writes data to path atomically (tests of several configurations share the files)."""
    if isinstance(data, str):
        data = data.encode()
    try:
        with open(path, "rb") as f:
            if f.read() == data:
                return path
    except FileNotFoundError:
        pass
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path))
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)
    return path


MARK_LINE = re.compile(r"^umbra: mark (\d+): (exits|mmu) (.*)$")


def umbra_marks(output):
    """The marks of Umbra's stop report (guest/report.c): {tag: {key: value}}, the exits line's
    keys (time_ns, total, one per exit kind that occurred) and the mmu line's together. A key
    that is missing counts as 0 (see mark_delta)."""
    marks = {}
    for line in output.split("\n"):
        m = MARK_LINE.match(line.strip())
        if not m:
            continue
        figures = marks.setdefault(int(m.group(1)), {})
        for word in m.group(3).split():
            key, _, value = word.partition("=")
            if value.isdigit():
                figures[key] = int(value)
    return marks


def mark_delta(marks, key, first, last):
    """What key grew by from mark first to mark last (a phase's own figure)."""
    return marks.get(last, {}).get(key, 0) - marks.get(first, {}).get(key, 0)
