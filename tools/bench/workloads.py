"""The workloads of `make bench`: Debian's Linux with the /init workload, and the small bench
guests at a few sizes each.

Each workload knows its phases (the names its phase lines give, in order, `end` last), how
Umbra loads it (module strings as tools/mkiso.sh takes them), how it boots natively, and which
serial line ends a native run (natively nothing turns the emulator off: Linux halts after
`poweroff -f` with acpi=off, a small guest's debug-exit write goes nowhere on Bochs).
"""
import os

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

with open(os.path.join(ROOT, "tests", "linux", "cmdline")) as f:
    LINUX_CMDLINE = f.read().strip()

LINUX_PHASES = ("forkexec", "anon", "tmpfs", "pipeline", "parallel", "end")
SMALL_PHASES = ("setup", "work", "end")

# The small guests and their sizes (`size=N` on their command line; each guest documents its
# unit and default in tests/guests/bench_*.c). The line chart plots exits against these;
# --quick runs the first only.
SMALL_SIZES = {
    "bench_demand": (256, 1024, 4096),      # fresh pages, each demand-faulted once
    "bench_cr3": (16, 64, 256),             # address spaces switched between
    "bench_ptstorm": (1024, 4096, 16384),   # PTE writes
    "bench_large": (16, 32, 64),            # MiB mapped with large pages
}


class Linux:
    name = "linux"
    prefix = "linux-init"
    phases = LINUX_PHASES
    linux = True
    # After /init's summary the kernel halts; a native run waits for either line (natively on
    # Bochs the summary is lost at the halt: parse.end_from_halt).
    native_end = r"^linux-init: \d+ passed, \d+ failed$|\] reboot: (System halted|Power down)"

    def __init__(self, linux_dir):
        self.kernel = os.path.join(linux_dir, "vmlinuz-cloud-amd64")
        self.initrd = os.path.join(linux_dir, "initramfs-amd64.cpio.gz")

    def sizes(self):
        return (None,)

    def demand_faults(self, size):
        return {}

    def inputs(self, size):
        return [self.kernel, self.initrd]

    def umbra_modules(self, size):
        return [(self.kernel, f"guest {LINUX_CMDLINE}"), (self.initrd, "initrd")]

    def native_boot(self, size):
        """(kind, kernel, command line, initrd) for a native boot."""
        return "linux", self.kernel, LINUX_CMDLINE, self.initrd


class SmallGuest:
    prefix = "bench"
    phases = SMALL_PHASES
    linux = False

    def __init__(self, name, guest_dir, sizes):
        self.name = name
        self.elf = os.path.join(guest_dir, f"{name}.elf")
        self._sizes = tuple(sizes)
        self.native_end = r"^bench: done \S+ size=\d+"    # NAME: the guest's own short name

    def sizes(self):
        return self._sizes

    def demand_faults(self, size):
        """{phase: demand faults the guest takes in it}: bench_demand's work phase stores
        once to each of its size=N fresh pages (tests/guests/bench_demand.c)."""
        return {"work": size} if self.name == "bench_demand" else {}

    def inputs(self, size):
        return [self.elf]

    def umbra_modules(self, size):
        return [(self.elf, f"guest size={size}")]

    def native_boot(self, size):
        return "multiboot", self.elf, f"size={size}", None


def all_workloads(linux_dir, guest_dir, sizes=None):
    """Linux first, then the small guests; sizes: {name: (sizes...)} overriding SMALL_SIZES."""
    sizes = dict(SMALL_SIZES, **(sizes or {}))
    return [Linux(linux_dir)] + [SmallGuest(n, guest_dir, sizes[n]) for n in SMALL_SIZES]


def parse_sizes(text):
    """'bench_demand=256,1024;bench_cr3=4' -> {'bench_demand': (256, 1024), 'bench_cr3': (4,)}"""
    out = {}
    for item in filter(None, (s.strip() for s in text.replace(";", " ").split())):
        name, _, values = item.partition("=")
        if name not in SMALL_SIZES or not values:
            raise ValueError(f"bad --sizes item {item!r} (NAME=N,N,... with NAME one of "
                             f"{', '.join(SMALL_SIZES)})")
        out[name] = tuple(int(v) for v in values.split(","))
    return out
