"""Kernel-shaped git repositories for benchmarks: owns their generation and benchmark series.

``generate()`` writes a whole repository (root tree, history, tags) with ONE
``git fast-import`` stream, so a 75,000-file tree takes seconds, not minutes:

* a tree shaped like Linux 5.14 (``arch/<arch>/...``, ``drivers/net/ethernet/
  <vendor>/<chip>``, ``drivers/gpu/drm/...``, ``fs/<fs>``, ``kernel/``,
  ``mm/``, ``net/``, ``security/{selinux,smack,apparmor,...}``,
  ``include/linux``, ``include/uapi/linux``, ``Documentation/``, ``tools/``,
  ``scripts/``, ``sound/`` ...), with the file-count proportions of the real
  tree and a few real file names (``fs/io_uring.c``, ``kernel/auditsc.c``,
  ``security/security.c`` ...);
* file contents generated deterministically from the seed and cheap to make:
  C files are 50..3000 lines assembled from a pool of generated functions
  with per-file identifiers, headers, Makefiles, Kconfig, rst, dt-binding
  yaml, dts, defconfigs and scripts likewise.  Files average ~127 lines
  (the real kernel averages ~400 lines per file); this keeps 75,000 files at
  ~250 MB of text and ~90 MB on disk (about 2,900 directories);
* a ``MAINTAINERS`` in the kernel's format (the real preamble, then ~3,000
  sections with ~20,000 F:/X:/N: patterns and M:/R:/L:/S:/T:/W:/Q:/K: lines
  at 75,000 files, scaled down with the tree) covering the generated
  directories, sorted, with ``THE REST`` last (``F: *`` and ``F: */``);
* a root commit (tagged ``v5.13``) and ``n_commits`` commits each changing a
  few lines in a few files, spread over Jun 28..Aug 22 2021, with annotated
  tags ``v5.14-rc1`` .. ``v5.14-rc7`` at evenly spaced commits, the last at
  HEAD (``refs/heads/master``).  Authors, committer, dates and messages are
  pinned, so the same arguments give the same commit ids.

The work tree is left empty (nothing is checked out) unless ``checkout=True``;
``gc.auto`` is 0 so no automatic gc lands in a benchmark's timing.  fast-import
runs with ``--depth=0`` (no deltas) and ``pack.compression=1``: its default is
to deltify every blob against the previous blob in the stream, related or not,
which here costs ~40% more time for ~10% less disk and leaves delta chains up
to 50 deep for every later blob read.  75,000 files take ~10 s on 2 cores
(Python making the text and fast-import packing it run side by side).

``make_series()`` writes a ``git format-patch`` series on top of a tag,
built with fast-import in a scratch repository that borrows the generated
repository's objects (so the generated repository gains nothing), optionally
placed so that the upstream changes between its base and ``drift_to`` move
or touch the lines next to its hunks (it then needs offsets or a three-way
merge on ``drift_to``).

CLI: ``python benchmarks/kernelrepo.py DEST [--files N] [--commits N]``.
"""

from __future__ import annotations

import argparse
import bisect
import contextlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

__all__ = ["RC_TAGS", "KernelRepo", "disk_usage", "generate", "make_series", "open_repo"]

RC_TAGS = tuple(f"v5.14-rc{i}" for i in range(1, 8))
_META = "kernelrepo.json"
_LINUS = "Linus Torvalds <torvalds@linux-foundation.org>"
_T_ROOT = 1624827600  # Sun Jun 27 2021 (v5.13)
_T_HEAD = 1629669600  # Sun Aug 22 2021 (v5.14-rc7)
_FULL = 75_000


# --------------------------------------------------------------------------
# git plumbing


def _env() -> dict[str, str]:
    """A git environment that ignores the user's config and any GIT_DIR-like variable."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_TERMINAL_PROMPT="0",
        LC_ALL="C",
        TZ="UTC",
    )
    return env


def _git(repo: Path, *args: str, input: bytes | None = None) -> str:
    proc = subprocess.run(
        ["git", "-C", str(repo), *args],
        input=input,
        capture_output=True,
        env=_env(),
        check=False,
    )
    if proc.returncode:
        raise RuntimeError(
            f"git {' '.join(args)} failed ({proc.returncode}): "
            f"{proc.stderr.decode(errors='replace').strip()}"
        )
    return proc.stdout.decode()


class _FastImport:
    """Writes one fast-import stream into a running ``git fast-import``."""

    def __init__(self, repo: Path, extra: Sequence[str] = ()) -> None:
        self.proc = subprocess.Popen(
            # No deltas: fast-import deltifies each blob against the previous one
            # whatever it is, which costs more time than it saves space here and
            # leaves 50-deep delta chains for every later blob read.  zlib level 1
            # for the same reason.
            ["git", "-C", str(repo), "-c", "pack.compression=1", "fast-import", "--quiet",
             "--done", "--depth=0", *extra],
            stdin=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=_env(),
            bufsize=1 << 20,
        )
        assert self.proc.stdin is not None
        self.out = self.proc.stdin
        self.mark = 0

    def data(self, payload: bytes) -> None:
        self.out.write(b"data %d\n" % len(payload))
        self.out.write(payload)
        self.out.write(b"\n")

    def commit(
        self,
        ref: str,
        author: str,
        author_time: int,
        committer: str,
        commit_time: int,
        message: str,
        parent: str | None,
        files: Iterable[tuple[str, bytes, bool]],
        tz: str = "-0700",
    ) -> str:
        """Writes a commit with inline blobs; returns its mark (``:N``)."""
        self.mark += 1
        w = self.out.write
        w(f"commit {ref}\nmark :{self.mark}\n".encode())
        w(f"author {author} {author_time} {tz}\n".encode())
        w(f"committer {committer} {commit_time} -0700\n".encode())
        self.data(message.encode())
        if parent:
            w(f"from {parent}\n".encode())
        for path, content, executable in files:
            w(b"M %s inline %s\n" % (b"100755" if executable else b"100644", path.encode()))
            self.data(content)
        w(b"\n")
        return f":{self.mark}"

    def tag(self, name: str, target: str, tagger: str, when: int, message: str) -> None:
        self.out.write(f"tag {name}\nfrom {target}\ntagger {tagger} {when} -0700\n".encode())
        self.data(message.encode())

    def close(self) -> None:
        self.out.write(b"done\n")
        self.out.close()
        err = self.proc.stderr.read() if self.proc.stderr else b""
        if self.proc.wait():
            raise RuntimeError(f"git fast-import failed: {err.decode(errors='replace').strip()}")


# --------------------------------------------------------------------------
# vocabulary

_WORDS = [
    "core", "main", "ops", "dev", "hw", "phy", "mac", "regs", "debugfs", "sysfs", "irq", "dma", "tx", "rx", "ptp",
    "devlink", "param", "common", "init", "ctrl", "mbox", "fw", "nvm", "ethtool", "lib", "util", "trace", "pm",
    "power", "clk", "reset", "gpio", "i2c", "spi", "pci", "usb", "sdio", "acpi", "of", "platform", "bus", "queue",
    "ring", "buf", "mem", "cache", "table", "map", "alloc", "sched", "timer", "event", "stats", "cmd", "msg",
    "proto", "sock", "xmit", "recv", "filter", "policy", "hooks", "audit", "inode", "file", "dir", "super", "namei",
    "xattr", "acl", "journal", "extent", "balloc", "ialloc", "btree", "log", "recovery", "scrub", "quota", "crypto",
    "hash", "cipher", "key", "cert", "sign", "verify", "dcb", "flow", "tc", "switch", "port", "link", "vlan", "fdb",
    "mdio", "led", "hwmon", "thermal", "sensor", "adc", "dac", "pwm", "wdt", "rtc", "nand", "nor", "spinand", "mmc",
    "sd", "emmc", "card", "host", "gadget", "udc", "otg", "hub", "hcd", "pipe", "channel", "engine", "ctx", "vm",
    "mmu", "gem", "bo", "fence", "sync", "plane", "crtc", "encoder", "connector", "bridge", "panel", "dsi", "hdmi",
    "dp", "edid", "vblank", "atomic", "state", "helper", "compat", "ioctl", "uapi", "cgroup", "bpf", "verifier",
    "jit", "btf", "task", "fork", "exit", "signal", "cred", "module", "params", "kobject", "notifier", "workqueue",
    "tasklet", "softirq", "wait", "lock", "mutex", "rwsem", "seqlock", "rcu", "percpu", "slab", "page", "vmscan",
    "swap", "shmem", "mmap", "mprotect", "madvise", "hugetlb", "memcg", "oom", "compaction", "migrate", "ksm",
    "zswap", "gup", "rmap", "tlb", "fault", "entry", "head", "setup", "boot", "smp", "topology", "cpu", "numa",
    "apic", "ioapic", "hpet", "tsc", "pvclock", "kvm", "vmx", "svm", "nested", "mtrr", "pat", "fpu", "xsave",
    "signal_compat"
]
_VERBS = [
    "get", "set", "init", "setup", "probe", "remove", "enable", "disable", "start", "stop", "reset", "update",
    "read", "write", "alloc", "free", "map", "unmap", "config", "check", "handle", "process", "parse", "fill",
    "clear", "flush", "sync", "poll", "request", "release", "register", "unregister", "attach", "detach", "open",
    "close", "suspend", "resume", "lookup", "insert", "delete", "validate", "prepare", "commit", "queue", "dequeue",
    "submit", "complete", "wait", "notify"
]
_NOUNS = [
    "device", "buffer", "queue", "ring", "irq", "clock", "reset", "regs", "state", "config", "stats", "link",
    "port", "channel", "entry", "table", "desc", "frame", "packet", "page", "context", "ctrl", "mode", "status",
    "caps", "info", "params", "power", "firmware", "mailbox", "event", "timer", "work", "sensor", "vlan", "filter",
    "key", "hash", "tag", "slot", "node", "zone", "range", "region", "window", "fifo", "intr", "msi", "pll", "phy",
    "lane", "mac", "addr", "rule", "flow", "req", "resp", "cmd"
]
_FIELDS = [
    "flags", "count", "size", "len", "mode", "state", "index", "id", "num", "offset", "mask", "shift", "base",
    "limit", "refcnt", "enabled", "timeout", "retries", "irq_mask", "speed", "duplex", "mtu", "features", "caps",
    "version"
]
_HEADERS = [
    "linux/module.h", "linux/kernel.h", "linux/init.h", "linux/slab.h", "linux/errno.h", "linux/device.h",
    "linux/platform_device.h", "linux/of.h", "linux/of_device.h", "linux/io.h", "linux/delay.h",
    "linux/interrupt.h", "linux/clk.h", "linux/reset.h", "linux/mutex.h", "linux/spinlock.h", "linux/list.h",
    "linux/bitops.h", "linux/bitfield.h", "linux/pm_runtime.h", "linux/regmap.h", "linux/dma-mapping.h",
    "linux/netdevice.h", "linux/etherdevice.h", "linux/skbuff.h", "linux/pci.h", "linux/usb.h", "linux/i2c.h",
    "linux/spi/spi.h", "linux/gpio/consumer.h", "linux/fs.h", "linux/uaccess.h", "linux/seq_file.h",
    "linux/debugfs.h", "linux/workqueue.h", "linux/sched.h", "linux/mm.h", "linux/security.h", "linux/audit.h",
    "linux/rcupdate.h", "linux/percpu.h", "linux/kthread.h", "linux/firmware.h", "linux/iopoll.h",
    "linux/completion.h", "net/sock.h"
]
_PROSE = [
    "the", "driver", "registers", "a", "device", "for", "each", "port", "found", "in", "the", "firmware", "tables",
    "and", "keeps", "the", "hardware", "state", "in", "a", "private", "structure", "that", "is", "protected", "by",
    "a", "mutex", "callers", "must", "hold", "the", "lock", "while", "walking", "the", "list", "of", "entries",
    "and", "drop", "it", "before", "sleeping", "this", "interface", "is", "not", "stable", "and", "may", "change",
    "between", "kernel", "releases", "userspace", "should", "use", "the", "generic", "netlink", "family", "instead",
    "the", "value", "is", "reported", "in", "units", "of", "milliseconds", "and", "defaults", "to", "zero", "which",
    "disables", "the", "feature", "entirely", "when", "the", "queue", "is", "full", "the", "packet", "is",
    "dropped", "and", "the", "counter", "is", "incremented", "so", "that", "administrators", "can", "see", "the",
    "loss", "in", "the", "statistics", "each", "controller", "exposes", "a", "set", "of", "registers", "that",
    "describe", "its", "capabilities", "and", "the", "number", "of", "channels", "the", "subsystem", "core",
    "takes", "care", "of", "reference", "counting", "so", "drivers", "only", "need", "to", "implement", "the",
    "callbacks", "they", "actually", "support", "and", "may", "leave", "the", "others", "empty"
]
_FIRST = [
    "Alan", "Alex", "Andrew", "Andy", "Anna", "Arnd", "Ben", "Bjorn", "Boris", "Chris", "Christian", "Christoph",
    "Dan", "Daniel", "David", "Dmitry", "Eric", "Florian", "Geert", "Greg", "Guenter", "Hans", "Heiko", "Ilya",
    "Ingo", "Jakub", "Jan", "Jason", "Jens", "Jiri", "Joe", "Johannes", "John", "Jonathan", "Josef", "Julia",
    "Kalle", "Kees", "Krzysztof", "Lee", "Linus", "Mark", "Martin", "Matthew", "Maxime", "Michael", "Mike",
    "Miquel", "Nathan", "Neil", "Olof", "Paolo", "Paul", "Peter", "Rafael", "Rob", "Russell", "Sakari", "Sean",
    "Stephen", "Steven", "Takashi", "Thomas", "Tony", "Ulf", "Vinod", "Vlastimil", "Will", "Wolfram", "Yang"
]
_LAST = [
    "Adams", "Bergmann", "Brown", "Chen", "Clark", "Cooper", "Davis", "Evans", "Fischer", "Garcia", "Gupta", "Hall",
    "Hansen", "Hughes", "Jansen", "Jones", "Kim", "Klein", "Kumar", "Lee", "Lewis", "Li", "Liu", "Lopez", "Martin",
    "Meyer", "Miller", "Moore", "Murphy", "Nguyen", "Novak", "Olsen", "Park", "Patel", "Perez", "Peters", "Reed",
    "Richter", "Roberts", "Rossi", "Sato", "Schmidt", "Schneider", "Scott", "Shah", "Singh", "Smith", "Suzuki",
    "Tanaka", "Taylor", "Thompson", "Turner", "Vogel", "Wagner", "Walker", "Wang", "Weber", "Williams", "Wilson",
    "Wolf", "Wright", "Wu", "Xu", "Yamada", "Young", "Zhang", "Zhao", "Zhou"
]
_DOMAINS = [
    "kernel.org", "intel.com", "redhat.com", "suse.com", "google.com", "linaro.org", "arm.com", "nvidia.com",
    "amd.com", "ibm.com", "oracle.com", "huawei.com", "microsoft.com", "samsung.com", "collabora.com",
    "bootlin.com", "pengutronix.de", "gmail.com", "linux.ibm.com", "infradead.org"
]


def _paragraph(rng: random.Random, n_lines: int) -> str:
    words = [rng.choice(_PROSE) for _ in range(n_lines * 11)]
    out, line = [], ""
    for w in words:
        if len(line) + len(w) + 1 > 72:
            out.append(line)
            line = w
        else:
            line = f"{line} {w}" if line else w
    out.append(line)
    return "\n".join(out) + "\n\n"


_MSG_PARAS = [_paragraph(random.Random(i), 1 + i % 4) for i in range(64)]


def _ident(name: str) -> str:
    s = re.sub(r"[^A-Za-z0-9_]", "_", name).lower()
    return s if s and not s[0].isdigit() else "x" + s


def _lognorm(rng: random.Random, mu: float, sigma: float, lo: int, hi: int) -> int:
    return max(lo, min(hi, int(rng.lognormvariate(mu, sigma))))


# --------------------------------------------------------------------------
# the tree's shape


@dataclass
class _Leaf:
    path: str
    weight: float
    kind: str
    files: list[str] = field(default_factory=list)


_ETH_VENDORS = {
    "intel": ["e1000", "e1000e", "igb", "igc", "ixgbe", "i40e", "ice", "iavf", "fm10k"],
    "mellanox": ["mlx4", "mlx5/core", "mlx5/core/en", "mlxsw", "mlxfw"],
    "broadcom": ["bnx2x", "bnxt", "genet"],
    "marvell": ["mvpp2", "octeontx2/af", "octeontx2/nic", "prestera"],
    "realtek": [], "chelsio": ["cxgb4", "cxgb3", "inline_crypto/ch_ktls"],
    "qlogic": ["qed", "qede", "qlcnic", "netxen"], "amd": ["xgbe"], "cisco": ["enic"],
    "huawei": ["hinic"], "hisilicon": ["hns3", "hns"], "stmicro": ["stmmac"],
    "freescale": ["enetc", "dpaa2", "fman"], "microchip": ["sparx5"], "ti": [],
    "aquantia": ["atlantic"], "amazon": ["ena"], "google": ["gve"], "emulex": ["benet"],
    "sfc": ["falcon"], "pensando": ["ionic"], "netronome": ["nfp", "nfp/flower"],
    "cavium": ["liquidio", "thunder"], "mediatek": [], "renesas": [], "socionext": [],
    "3com": [], "8390": [], "adaptec": [], "agere": [], "alacritech": [], "allwinner": [],
    "alteon": [], "apm": ["xgene"], "atheros": ["atl1c", "atl1e", "alx"], "brocade": ["bna"],
    "cadence": [], "cortina": [], "davicom": [], "dec": ["tulip"], "dlink": [], "ezchip": [],
    "faraday": [], "fujitsu": [], "ibm": ["ibmvnic", "emac"], "jme": [], "lantiq": [],
    "micrel": [], "mscc": [], "myricom": ["myri10ge"], "natsemi": [], "neterion": ["vxge"],
    "ni": [], "nvidia": [], "nxp": [], "packetengines": [], "pasemi": [], "qualcomm": ["emac"],
    "rdc": [], "rocker": [], "samsung": ["sxgbe"], "seeq": [], "sgi": [], "silan": [],
    "sis": [], "smsc": [], "sun": [], "synopsys": [], "tehuti": [], "toshiba": [],
    "via": [], "wiznet": [], "xilinx": [], "xircom": [],
}
_WIFI = [
    "ath/ath9k", "ath/ath10k", "ath/ath11k", "ath/ath5k", "ath/ath6kl", "ath/carl9170", "ath/wcn36xx",
    "ath/wil6210", "broadcom/brcm80211/brcmfmac", "broadcom/brcm80211/brcmsmac", "broadcom/b43", "intel/iwlwifi",
    "intel/iwlwifi/mvm", "intel/iwlwifi/fw", "intel/iwlwifi/pcie", "intel/iwlwifi/dvm", "intel/ipw2x00",
    "marvell/mwifiex", "marvell/libertas", "mediatek/mt76", "mediatek/mt76/mt7615", "mediatek/mt76/mt7915",
    "mediatek/mt76/mt7921", "mediatek/mt76/mt76x0", "realtek/rtlwifi", "realtek/rtlwifi/rtl8192ce", "realtek/rtw88",
    "realtek/rtl8xxxu", "ralink/rt2x00", "ti/wlcore", "ti/wl18xx", "rsi", "st/cw1200", "quantenna/qtnfmac",
    "microchip/wilc1000", "zydas/zd1211rw", "intersil/p54", "atmel"
]
_DRM = [
    "amd/amdgpu", "amd/amdkfd", "amd/display/dc/core", "amd/display/dc/dcn10", "amd/display/dc/dcn20",
    "amd/display/dc/dcn30", "amd/display/dc/dcn31", "amd/display/dc/dml", "amd/display/amdgpu_dm", "amd/pm/swsmu",
    "amd/pm/powerplay", "amd/include", "i915", "i915/display", "i915/gt", "i915/gem", "i915/gvt", "i915/selftests",
    "nouveau", "nouveau/nvkm/engine/gr", "nouveau/nvkm/engine/disp", "nouveau/nvkm/engine/fifo",
    "nouveau/nvkm/subdev/bios", "nouveau/nvkm/subdev/clk", "nouveau/nvkm/subdev/fb", "radeon", "msm", "msm/adreno",
    "msm/disp/dpu1", "msm/dsi", "msm/dp", "exynos", "tegra", "vc4", "panel", "bridge", "bridge/analogix", "sun4i",
    "rockchip", "meson", "mediatek", "etnaviv", "virtio", "vmwgfx", "ttm", "scheduler", "ast", "mgag200", "qxl",
    "hisilicon/hibmc", "imx", "omapdrm", "lima", "panfrost", "v3d", "vkms", "gma500", "i2c", "tilcdc", "stm", "sti",
    "xlnx", "mcde", "tiny", "gud", "udl", "ingenic", "kmb", "mxsfb", "pl111", "aspeed", "arm/display/komeda",
    "atmel-hlcdc", "fsl-dcu", "rcar-du", "selftests"
]
_DRIVERS: dict[str, tuple[float, str]] = {
    # subsystem: (files in 5.14, space separated sub-directories; '.' = the subsystem itself)
    "usb": (900, ". core host gadget gadget/function gadget/udc gadget/legacy serial storage "
            "typec typec/tcpm typec/ucsi misc class dwc2 dwc3 musb chipidea cdns3 mtu3 "
            "renesas_usbhs phy atm image mon roles isp1760 usbip early"),
    "scsi": (1300, ". lpfc qla2xxx megaraid mpt3sas aacraid be2iscsi bfa bnx2fc csiostor "
             "cxgbi fnic hisi_sas ibmvscsi isci libsas libfc mvsas pm8001 qedf qedi qla4xxx "
             "smartpqi snic ufs device_handler arm aic7xxx aic94xx esas2r fcoe mpi3mr"),
    "media": (3300, "i2c platform/qcom/venus platform/rockchip/rkisp1 platform/mtk-vcodec "
              "platform/exynos4-is platform/s5p-mfc platform/ti-vpe platform/rcar-vin "
              "platform/vsp1 platform/omap3isp usb/uvc usb/gspca usb/em28xx usb/dvb-usb "
              "usb/pvrusb2 usb/cx231xx pci/cx23885 pci/cx88 pci/saa7134 pci/bt8xx pci/ivtv "
              "pci/intel/ipu3 dvb-frontends dvb-core tuners v4l2-core rc common/videobuf2 "
              "radio test-drivers/vivid cec/core"),
    "staging": (1800, "greybus media/atomisp media/hantro rtl8723bs rtl8192e rtl8188eu wfx "
                "vc04_services comedi/drivers fbtft most gdm724x ks7010 octeon qlge rts5208 "
                "vt6655 vt6656 wlan-ng iio/adc android"),
    "iio": (900, ". adc accel gyro imu magnetometer light pressure temperature humidity dac "
            "proximity chemical frequency amplifiers common/st_sensors buffer trigger health "
            "position resolver potentiometer orientation afe"),
    "pinctrl": (350, ". intel qcom mediatek samsung sunxi mvebu renesas freescale nomadik "
                "bcm meson uniphier tegra stm32 aspeed actions ti sprd"),
    "clk": (700, ". qcom samsung sunxi-ng mediatek renesas imx rockchip meson tegra ti bcm "
            "mvebu at91 hisilicon socfpga ingenic uniphier sprd st mmp"),
    "input": (500, ". keyboard mouse touchscreen misc joystick serio tablet rmi4 gameport"),
    "hwmon": (320, ". pmbus occ"), "i2c": (250, ". busses muxes algos"), "spi": (200, "."),
    "mtd": (300, ". nand/raw nand/spi spi-nor ubi chips maps parsers devices"),
    "mmc": (180, "host core"), "nvme": (60, "host target"),
    "block": (200, ". drbd zram rnbd null_blk mtip32xx aoe paride"),
    "char": (250, ". tpm ipmi hw_random agp xillybus"),
    "tty": (250, ". serial serial/8250 vt hvc ipwireless serdev"),
    "acpi": (350, ". acpica apei nfit arm64"),
    "pci": (200, ". controller controller/dwc controller/cadence hotplug pcie endpoint switch"),
    "platform": (300, "x86 chrome mellanox surface olpc goldfish mips"),
    "power": (250, "supply reset"), "regulator": (250, "."), "rtc": (200, "."),
    "soc": (350, "qcom ti imx renesas samsung tegra mediatek fsl rockchip sunxi bcm amlogic "
            "aspeed xilinx"),
    "thermal": (120, ". intel qcom samsung tegra ti-soc-thermal broadcom"),
    "video": (450, "fbdev fbdev/core fbdev/omap2/omapfb backlight console logo"),
    "infiniband": (800, "core hw/mlx5 hw/mlx4 hw/hfi1 hw/qib hw/cxgb4 hw/bnxt_re hw/efa "
                   "hw/hns hw/irdma hw/qedr hw/usnic hw/vmw_pvrdma hw/mthca sw/rxe sw/siw "
                   "sw/rdmavt ulp/ipoib ulp/iser ulp/isert ulp/srp ulp/srpt ulp/rtrs"),
    "md": (200, ". bcache persistent-data"), "mfd": (250, "."),
    "misc": (500, ". cxl habanalabs/common habanalabs/gaudi habanalabs/goya mei lkdtm eeprom "
             "genwqe ocxl sgi-gru vmw_vmci cardreader uacce"),
    "phy": (250, "qualcomm rockchip samsung mediatek ti marvell allwinner broadcom cadence "
            "freescale intel renesas st tegra amlogic socionext"),
    "crypto": (400, ". ccp caam qat/qat_common qat/qat_c62x chelsio hisilicon inside-secure "
               "marvell/cesa marvell/octeontx qce stm32 ccree allwinner amlogic cavium virtio"),
    "dma": (200, ". dw dw-edma ioat idxd qcom sh ti ppc4xx hsu xilinx sf-pdma"),
    "edac": (80, "."), "firmware": (250, ". efi efi/libstub arm_scmi psci tegra imx broadcom "
                                     "google meson smccc"),
    "gpio": (170, "."), "hid": (200, ". usbhid i2c-hid intel-ish-hid/ishtp amd-sfh-hid"),
    "leds": (120, ". trigger flash"), "mailbox": (50, "."), "remoteproc": (60, "."),
    "reset": (60, "."), "watchdog": (180, "."), "virtio": (25, "."),
    "xen": (80, ". events xenbus xen-pciback"), "vfio": (50, ". pci platform mdev"),
    "base": (150, ". power regmap firmware_loader test"), "bluetooth": (120, "."),
    "ata": (130, "."), "cpufreq": (120, "."), "cpuidle": (40, ". governors"),
    "irqchip": (170, "."), "of": (40, ". unittest-data"), "pwm": (80, "."),
    "target": (90, ". iscsi loopback tcm_fc sbp iscsi/cxgbit"), "thunderbolt": (50, "."),
    "iommu": (90, ". amd intel arm/arm-smmu arm/arm-smmu-v3"),
    "interconnect": (50, ". qcom imx samsung"), "perf": (50, ". hisilicon"),
    "hwtracing": (80, "coresight intel_th stm"), "s390": (250, "block char cio crypto net scsi"),
    "nvdimm": (30, "."), "nvmem": (50, "."), "ptp": (30, "."), "rpmsg": (20, "."),
    "soundwire": (30, "."), "tee": (20, ". optee amdtee"), "vdpa": (30, ". mlx5 ifcvf"),
    "vhost": (15, "."), "w1": (40, ". masters slaves"), "uio": (20, "."), "counter": (15, "."),
    "devfreq": (30, ". event"), "extcon": (40, "."), "fpga": (50, "."), "gnss": (10, "."),
    "hv": (20, "."), "i3c": (15, ". master"), "isdn": (80, "capi hardware/mISDN mISDN"),
    "memory": (40, ". tegra"), "mux": (10, "."), "nfc": (80, ". pn533 st21nfca nxp-nci"),
    "ntb": (30, ". hw/intel hw/amd"), "parport": (20, "."), "pcmcia": (60, "."),
    "powercap": (10, "."), "rapidio": (30, ". devices switches"), "slimbus": (10, "."),
    "spmi": (10, "."), "ssb": (30, "."), "clocksource": (120, "."), "dax": (15, ". pmem"),
    "firewire": (30, "."), "macintosh": (50, "."), "message/fusion": (40, "."),
    "atm": (60, "."), "auxdisplay": (20, "."), "bus": (60, ". mhi/core fsl-mc"),
    "cdrom": (3, "."), "connector": (5, "."), "eisa": (8, "."), "greybus": (40, "."),
    "hsi": (15, ". clients controllers"), "hwspinlock": (15, "."), "ipack": (10, "."),
    "mcb": (10, "."), "memstick": (15, "core host"), "pnp": (30, ". pnpacpi isapnp"),
    "pps": (15, ". clients generators"), "siox": (5, "."), "tc": (5, "."), "vme": (15, "."),
    "zorro": (10, "."), "accessibility": (15, "speakup braille"),
}
_FS = [
    "9p", "adfs", "affs", "afs", "autofs", "befs", "bfs", "btrfs", "cachefiles", "ceph", "cifs", "coda", "configfs",
    "cramfs", "crypto", "debugfs", "dlm", "ecryptfs", "efivarfs", "efs", "erofs", "exfat", "exportfs", "ext2",
    "ext4", "f2fs", "fat", "freevxfs", "fscache", "fuse", "gfs2", "hfs", "hfsplus", "hostfs", "hpfs", "hugetlbfs",
    "iomap", "isofs", "jbd2", "jffs2", "jfs", "kernfs", "lockd", "minix", "netfs", "nfs", "nfs_common", "nfsd",
    "nilfs2", "nls", "notify", "notify/dnotify", "notify/fanotify", "notify/inotify", "ntfs", "ocfs2",
    "ocfs2/cluster", "ocfs2/dlm", "ocfs2/dlmfs", "omfs", "openpromfs", "orangefs", "overlayfs", "proc", "pstore",
    "qnx4", "qnx6", "quota", "ramfs", "reiserfs", "romfs", "squashfs", "sysfs", "sysv", "tracefs", "ubifs", "udf",
    "ufs", "unicode", "vboxsf", "verity", "xfs", "xfs/libxfs", "xfs/scrub", "zonefs"
]
_FS_BIG = {"btrfs": 5, "xfs": 4, "xfs/libxfs": 3, "ext4": 3, "nfs": 4, "nfsd": 3, "f2fs": 2,
           "cifs": 4, "ocfs2": 3, "ceph": 2, "proc": 2, "gfs2": 2, "afs": 3, "ubifs": 2}
_KERNEL = [
    "bpf", "cgroup", "configs", "debug", "debug/kdb", "dma", "entry", "events", "gcov", "irq", "kcsan", "livepatch",
    "locking", "power", "printk", "rcu", "sched", "time", "trace"
]
_NET = [
    "6lowpan", "802", "8021q", "9p", "appletalk", "atm", "ax25", "batman-adv", "bluetooth", "bluetooth/bnep",
    "bluetooth/hidp", "bluetooth/rfcomm", "bpf", "bridge", "bridge/netfilter", "caif", "can", "ceph", "core", "dcb",
    "dccp", "decnet", "dns_resolver", "dsa", "ethernet", "ethtool", "hsr", "ieee802154", "ife", "ipv4",
    "ipv4/netfilter", "ipv6", "ipv6/netfilter", "iucv", "kcm", "key", "l2tp", "l3mdev", "lapb", "llc", "mac80211",
    "mac802154", "mpls", "mptcp", "ncsi", "netfilter", "netfilter/ipset", "netfilter/ipvs", "netlabel", "netlink",
    "netrom", "nfc", "nsh", "openvswitch", "packet", "phonet", "psample", "qrtr", "rds", "rfkill", "rose", "rxrpc",
    "sched", "sctp", "smc", "sunrpc", "sunrpc/auth_gss", "sunrpc/xprtrdma", "switchdev", "tipc", "tls", "unix",
    "vmw_vsock", "wireless", "x25", "xdp", "xfrm"
]
_NET_BIG = {"core": 4, "ipv4": 6, "ipv6": 4, "netfilter": 8, "mac80211": 3, "sched": 5,
            "bluetooth": 3, "sunrpc": 3, "wireless": 2, "sctp": 2, "tipc": 2}
_ARCHES = {
    # arch: (files, extra sub-directories); every arch also gets the common ones
    "arm": (3200, "mach-omap2 mach-imx mach-at91 mach-mvebu mach-shmobile mach-exynos "
            "mach-davinci mach-pxa mach-s3c mach-sa1100 mach-ux500 mach-versatile "
            "mach-mmp mach-mediatek mach-rockchip mach-sunxi mach-qcom mach-bcm vfp "
            "probes crypto net common"),
    "arm64": (1500, "crypto kvm kvm/hyp net xen"),
    "x86": (1300, "events events/intel events/amd entry entry/vdso kvm kvm/vmx kvm/svm "
            "kvm/mmu crypto net pci platform/efi platform/uv power realmode um xen hyperv "
            "kernel/cpu kernel/apic kernel/fpu mm/pat purgatory tools"),
    "powerpc": (1500, "platforms/powernv platforms/pseries platforms/85xx platforms/52xx "
                "platforms/cell platforms/ps3 platforms/44x sysdev kvm perf crypto net xmon "
                "kernel/vdso32 kernel/vdso64 mm/book3s64"),
    "mips": (1500, "cavium-octeon loongson64 bcm47xx bcm63xx ath79 ralink lantiq sgi-ip27 "
             "txx9 alchemy pci kvm net crypto fw/arc"),
    "s390": (400, "crypto kvm net pci hypfs appldata purgatory"),
    "sparc": (400, "prom vdso crypto net"), "sh": (600, "boards cchips drivers"),
    "riscv": (200, "kvm net"), "m68k": (350, "coldfire amiga atari mac q40 sun3 68000"),
    "parisc": (200, "math-emu"), "alpha": (150, "math-emu"), "ia64": (200, "sn/kernel"),
    "xtensa": (250, "platforms variants"), "um": (200, "drivers os-Linux"),
    "arc": (200, "plat-axs10x plat-hsdk"), "csky": (150, "abiv1 abiv2"), "h8300": (100, ""),
    "hexagon": (80, ""), "microblaze": (120, "pci"), "nds32": (120, "math-emu"),
    "nios2": (100, "platform"), "openrisc": (80, ""),
}
_DTS_ARCHES = {"arm": 1500, "arm64": 1100, "powerpc": 180, "mips": 120, "riscv": 20,
               "arc": 15, "xtensa": 10, "nios2": 5}
_DTS_VENDORS = [
    "qcom", "freescale", "allwinner", "rockchip", "amlogic", "mediatek", "renesas", "nvidia", "marvell", "broadcom",
    "ti", "exynos", "arm", "xilinx", "socionext", "hisilicon", "intel", "apm", "altera", "sprd", "realtek",
    "toshiba"
]
_DT_BINDINGS = [
    "clock", "pinctrl", "gpio", "interrupt-controller", "reset", "power", "dma", "input", "net", "sound", "display",
    "media", "iio", "i2c", "spi", "mmc", "mtd", "usb", "phy", "pci", "regulator", "rtc", "serial", "thermal",
    "watchdog", "leds", "mfd", "hwmon", "soc", "arm", "firmware", "remoteproc", "mailbox", "crypto", "sram",
    "memory-controllers", "interconnect", "nvmem", "pwm", "timer", "bus", "iommu", "mux", "extcon", "gpu",
    "power/supply", "opp"
]
_DOCS = [
    "admin-guide", "admin-guide/sysctl", "admin-guide/pm", "admin-guide/mm", "admin-guide/hw-vuln", "networking",
    "networking/device_drivers/ethernet", "filesystems", "filesystems/ext4", "driver-api", "driver-api/media",
    "core-api", "process", "translations/zh_CN", "translations/it_IT", "translations/ja_JP", "translations/ko_KR",
    "ABI/testing", "ABI/stable", "ABI/obsolete", "userspace-api", "userspace-api/media", "dev-tools", "trace",
    "kbuild", "arm", "arm64", "x86", "powerpc", "sound", "gpu", "hwmon", "iio", "input", "scsi", "usb", "virt",
    "security", "crypto", "bpf", "fb", "firmware-guide", "i2c", "leds", "locking", "maintainer", "mm", "PCI",
    "power", "RCU", "riscv", "s390", "scheduler", "spi", "staging", "target", "timers", "watchdog"
]
_SELFTESTS = [
    "bpf", "net", "net/forwarding", "kvm", "seccomp", "cgroup", "vm", "powerpc", "x86", "arm64", "ftrace",
    "rcutorture", "futex", "mount", "proc", "timers", "tc-testing", "landlock", "lkdtm", "livepatch", "memfd",
    "mqueue", "netfilter", "pidfd", "ptrace", "rtc", "sched", "sparc64", "splice", "static_keys", "sync", "sysctl",
    "tpm2", "user", "vDSO", "zram", "drivers/net/mlxsw", "filesystems", "kexec", "kmod", "ipc", "ir",
    "capabilities", "clone3", "core", "cpufreq", "efivarfs", "exec", "firmware", "gpio", "intel_pstate",
    "kselftest", "lib", "membarrier", "openat2", "perf_events", "pstore", "resctrl", "safesetid", "sgx", "size",
    "tmpfs", "wireguard"
]
_SECURITY = {"selinux": 60, "selinux/ss": 25, "selinux/include": 25, "smack": 12,
             "apparmor": 45, "apparmor/include": 30, "tomoyo": 25, "integrity": 10,
             "integrity/ima": 25, "integrity/evm": 8, "integrity/platform_certs": 8,
             "keys": 25, "keys/encrypted-keys": 6, "keys/trusted-keys": 6, "yama": 3,
             "loadpin": 3, "safesetid": 5, "lockdown": 3, "landlock": 12, "bpf": 3}
_SOUND = [
    "core", "core/seq", "core/oss", "pci", "pci/hda", "pci/emu10k1", "pci/ctxfi", "soc", "soc/codecs",
    "soc/intel/boards", "soc/intel/skylake", "soc/intel/common", "soc/qcom", "soc/fsl", "soc/sof", "soc/sof/intel",
    "soc/sof/imx", "soc/samsung", "soc/sh", "soc/rockchip", "soc/mediatek", "soc/sunxi", "soc/ti", "soc/amd",
    "soc/atmel", "soc/generic", "soc/meson", "soc/stm", "soc/tegra", "soc/uniphier", "soc/img", "soc/ux500",
    "soc/pxa", "soc/mxs", "soc/sprd", "soc/xilinx", "soc/bcm", "usb", "usb/misc", "usb/line6", "hda", "firewire",
    "isa", "drivers", "i2c", "sparc", "ppc", "aoa", "arm", "spi", "x86", "xen", "synth", "ac97", "mips", "parisc",
    "sh", "virtio"
]
_TOOLS = {
    "perf": (200, "c"), "perf/util": (400, "c"), "perf/arch/x86/util": (40, "c"),
    "perf/tests": (150, "c"), "perf/bench": (40, "c"), "perf/ui": (40, "c"),
    "perf/scripts/python": (40, "script"), "perf/Documentation": (200, "doc"),
    "perf/pmu-events/arch/x86": (350, "json"), "perf/pmu-events/arch/arm64": (150, "json"),
    "bpf/bpftool": (60, "c"), "bpf/resolve_btfids": (5, "c"), "lib/bpf": (50, "c"),
    "lib/subcmd": (20, "c"), "lib/api": (20, "c"), "include/linux": (150, "h"),
    "include/uapi/linux": (80, "h"), "include/asm-generic": (30, "h"), "objtool": (40, "c"),
    "power/x86/turbostat": (5, "c"), "power/cpupower": (80, "c"),
    "arch/x86/include/asm": (60, "h"), "testing/nvdimm": (20, "c"),
    "testing/radix-tree": (40, "c"), "testing/ktest": (20, "script"), "iio": (10, "c"),
    "gpio": (10, "c"), "kvm/kvm_stat": (3, "script"), "virtio": (20, "c"), "vm": (10, "c"),
    "usb": (10, "c"), "hv": (10, "c"), "io_uring": (8, "c"), "net": (5, "c"),
    "memory-model": (40, "doc"), "thermal": (20, "c"), "tracing": (10, "script"),
}
_SCRIPTS = {".": (120, "script"), "kconfig": (60, "c"), "mod": (15, "c"),
            "dtc": (40, "c"), "dtc/libfdt": (20, "c"), "coccinelle/api": (30, "script"),
            "coccinelle/free": (15, "script"), "coccinelle/misc": (30, "script"),
            "coccinelle/null": (10, "script"), "coccinelle/locks": (8, "script"),
            "gdb/linux": (20, "script"), "gcc-plugins": (20, "c"), "package": (15, "script"),
            "basic": (5, "c"), "selinux/genheaders": (3, "c"), "selinux/mdp": (3, "c"),
            "atomic": (15, "script")}
_INCLUDE = {
    "linux": (2400, "h"), "linux/mfd": (200, "h"), "linux/mtd": (50, "h"),
    "linux/platform_data": (150, "h"), "linux/usb": (60, "h"), "linux/spi": (30, "h"),
    "linux/iio": (40, "h"), "linux/mlx5": (25, "h"), "linux/netfilter": (60, "h"),
    "linux/sched": (30, "h"), "linux/soc": (40, "h"), "linux/gpio": (10, "h"),
    "uapi/linux": (700, "h"), "uapi/linux/netfilter": (60, "h"),
    "uapi/linux/android": (5, "h"), "uapi/asm-generic": (40, "h"), "uapi/drm": (40, "h"),
    "uapi/rdma": (30, "h"), "uapi/sound": (20, "h"), "uapi/scsi": (10, "h"),
    "uapi/misc": (10, "h"), "asm-generic": (150, "h"), "net": (300, "h"),
    "net/netfilter": (80, "h"), "net/bluetooth": (15, "h"), "net/sctp": (15, "h"),
    "net/tc_act": (25, "h"), "trace/events": (200, "h"), "drm": (180, "h"),
    "media": (120, "h"), "sound": (150, "h"), "dt-bindings/clock": (300, "h"),
    "dt-bindings/pinctrl": (60, "h"), "dt-bindings/gpio": (20, "h"),
    "dt-bindings/interrupt-controller": (15, "h"), "dt-bindings/reset": (60, "h"),
    "dt-bindings/power": (40, "h"), "dt-bindings/sound": (20, "h"), "scsi": (50, "h"),
    "rdma": (40, "h"), "crypto": (90, "h"), "acpi": (60, "h"), "xen": (60, "h"),
    "kvm": (15, "h"), "soc/qcom": (20, "h"), "soc/fsl": (20, "h"), "clocksource": (15, "h"),
    "keys": (15, "h"), "misc": (10, "h"), "ras": (3, "h"), "target": (10, "h"),
    "vdso": (5, "h"), "video": (60, "h"), "pcmcia": (10, "h"),
}
_TOP_DIRS = {"lib": (450, ". crypto zstd xz raid6 lz4 zlib_inflate zlib_deflate math kunit "
                     "mpi reed_solomon fonts vdso"),
             "crypto": (180, ". asymmetric_keys async_tx"), "block": (90, ". partitions"),
             "init": (10, "."), "ipc": (15, "."), "virt": (30, "kvm lib"),
             "certs": (10, "."), "usr": (10, "."), "mm": (160, ". kasan kfence damon")}
_SAMPLES = [
    "bpf", "kprobes", "trace_events", "ftrace", "kobject", "livepatch", "vfio-mdev", "watchdog", "seccomp", "rpmsg",
    "hidraw", "auxdisplay", "connector", "configfs", "kfifo"
]

# Real file names placed in the tree whatever its size (the example series and
# the usual suspects); their contents are generated like the others.
_ANCHORS = (
    "fs/io_uring.c", "fs/namei.c", "fs/read_write.c", "fs/ext4/inode.c",
    "kernel/auditsc.c", "kernel/audit.c", "kernel/audit.h", "kernel/fork.c",
    "kernel/sched/core.c", "mm/memory.c", "mm/page_alloc.c", "net/core/dev.c",
    "net/ipv4/tcp.c", "security/security.c", "security/commoncap.c",
    "security/lsm_audit.c", "security/selinux/hooks.c",
    "security/selinux/include/classmap.h", "security/smack/smack_lsm.c",
    "security/apparmor/lsm.c", "include/linux/lsm_hooks.h", "include/linux/lsm_hook_defs.h",
    "include/linux/security.h", "include/linux/audit.h", "include/linux/io_uring.h",
    "include/uapi/linux/audit.h", "include/uapi/linux/io_uring.h",
    "drivers/net/ethernet/intel/e1000e/netdev.c", "init/main.c",
)
_TOP_FILES = ("COPYING", "CREDITS", "Kbuild", "Kconfig", "Makefile", "README", ".gitignore",
              ".mailmap", ".clang-format", ".cocciconfig")


class _Shape:
    """Builds the list of leaf directories with relative weights (files at 75,000)."""

    def __init__(self, rng: random.Random, scale: float) -> None:
        self.rng = rng
        self.scale = scale
        self.leaves: list[_Leaf] = []

    def n(self, full: int) -> int:
        """How many of ``full`` synthetic instances to make at this scale."""
        return max(1, round(full * min(1.0, self.scale * 4)))

    def add(self, path: str, weight: float, kind: str = "c") -> None:
        if weight > 0:
            self.leaves.append(_Leaf(path, weight, kind))

    def split(self, path: str, weight: float, subs: Sequence[str], kind: str = "c",
              big: dict[str, float] | None = None) -> None:
        ws = [self.rng.lognormvariate(0, 0.6) * (big or {}).get(s, 1) for s in subs]
        total = sum(ws)
        for s, w in zip(subs, ws, strict=True):
            self.add(path if s == "." else f"{path}/{s}", weight * w / total, kind)

    def build(self) -> list[_Leaf]:
        rng = self.rng
        # arch
        for arch, (files, extra) in _ARCHES.items():
            dts = _DTS_ARCHES.get(arch, 0)
            subs = ["kernel", "mm", "lib", "include/asm", "include/uapi/asm", "boot",
                    "configs", *extra.split()]
            code = files - dts
            big = {"kernel": 6, "include/asm": 6, "configs": 2, "include/uapi/asm": 1.5}
            ws = [rng.lognormvariate(0, 0.5) * big.get(s, 1) for s in subs]
            for s, w in zip(subs, ws, strict=True):
                kind = ("h" if s.startswith("include") else
                        "defconfig" if s == "configs" else "c")
                self.add(f"arch/{arch}/{s}", code * w / sum(ws), kind)
            if dts:
                if arch == "arm64":
                    vendors = _DTS_VENDORS[: self.n(len(_DTS_VENDORS))]
                    self.split(f"arch/{arch}/boot/dts", dts, vendors, "dts")
                else:
                    self.add(f"arch/{arch}/boot/dts", dts, "dts")
        # drivers
        eth = list(_ETH_VENDORS.items())[: self.n(len(_ETH_VENDORS))]
        for vendor, chips in eth:
            w = 80 if chips else 15
            if not chips:
                self.add(f"drivers/net/ethernet/{vendor}", w)
            else:
                self.split(f"drivers/net/ethernet/{vendor}", w * len(chips), chips)
        self.split("drivers/net/wireless", 1500, _WIFI[: self.n(len(_WIFI))])
        self.split("drivers/net", 900, [
            ".", "phy", "can", "can/usb", "dsa", "dsa/mv88e6xxx", "dsa/b53", "dsa/sja1105", "usb", "wan", "ipa",
            "ppp", "team", "hamradio", "ieee802154", "bonding", "wwan", "hyperv", "vmxnet3", "fddi", "arcnet",
            "pcs", "mdio", "wireguard"])
        self.split("drivers/gpu/drm", 3800, [".", *_DRM[: self.n(len(_DRM))]],
                   big={".": 4, "amd/amdgpu": 8, "i915": 3, "amd/include": 4})
        self.split("drivers/gpu", 40, ["host1x", "ipu-v3", "vga"])
        for sub, (files, dirs) in _DRIVERS.items():
            self.split(f"drivers/{sub}", files, dirs.split())
        # filesystems, core kernel, net, security
        self.add("fs", 160)
        self.split("fs", 2300, _FS, big=_FS_BIG)
        self.add("kernel", 150)
        self.split("kernel", 400, _KERNEL, big={"sched": 3, "trace": 4, "bpf": 3, "rcu": 2})
        for top, (files, dirs) in _TOP_DIRS.items():
            self.split(top, files, dirs.split())
        self.add("net", 5)
        self.split("net", 1700, _NET, big=_NET_BIG)
        self.add("security", 25)
        for sub, files in _SECURITY.items():
            self.add(f"security/{sub}", files)
        for sub, (files, kind) in _INCLUDE.items():
            self.add(f"include/{sub}", files, kind)
        # Documentation
        self.add("Documentation", 40, "doc")
        self.split("Documentation", 3800, _DOCS[: self.n(len(_DOCS))], "doc",
                   big={"ABI/testing": 6, "networking": 3, "translations/zh_CN": 3})
        self.split("Documentation/devicetree/bindings", 3600,
                   _DT_BINDINGS[: self.n(len(_DT_BINDINGS))], "yaml")
        # tools, scripts, sound, samples, licenses
        for sub, (files, kind) in _TOOLS.items():
            self.add(f"tools/{sub}", files, kind)
        self.split("tools/testing/selftests", 2200, _SELFTESTS[: self.n(len(_SELFTESTS))],
                   "selftest", big={"bpf": 8, "net": 4, "kvm": 3, "powerpc": 3})
        for sub, (files, kind) in _SCRIPTS.items():
            self.add("scripts" if sub == "." else f"scripts/{sub}", files, kind)
        self.split("sound", 2500, _SOUND, big={"soc/codecs": 12, "pci/hda": 3, "soc/intel/boards": 2})
        self.split("samples", 300, _SAMPLES)
        self.add("LICENSES/preferred", 15, "license")
        self.add("LICENSES/exceptions", 5, "license")
        # big driver-ish directories have sub-directories of their own
        out: list[_Leaf] = []
        for leaf in self.leaves:
            if leaf.weight < 45 or leaf.kind not in ("c", "doc", "yaml", "selftest") or \
                    leaf.path.split("/")[0] in ("include", "kernel", "mm", "fs", "security"):
                out.append(leaf)
                continue
            subs = rng.sample(_WORDS, self.n(int(leaf.weight / 30)))
            share = leaf.weight * 0.6 / len(subs)
            out.append(_Leaf(leaf.path, leaf.weight * 0.4, leaf.kind))
            out += [_Leaf(f"{leaf.path}/{sub}", share, leaf.kind) for sub in subs]
        return out


def _allocate(leaves: list[_Leaf], n: int) -> list[int]:
    """Largest-remainder allocation of ``n`` files over the leaves' weights."""
    total = sum(leaf.weight for leaf in leaves)
    raw = [leaf.weight * n / total for leaf in leaves]
    counts = [int(x) for x in raw]
    rest = n - sum(counts)
    order = sorted(range(len(leaves)), key=lambda i: (counts[i] - raw[i], i))
    for i in order[:rest]:
        counts[i] += 1
    return counts


_C_EXT = {"c": (".c", ".c", ".c", ".h"), "h": (".h",), "selftest": (".c", ".sh", ".sh"),
          "script": (".sh", ".pl", ".py", ".c"), "doc": (".rst",) * 6 + (".txt",),
          "yaml": (".yaml",), "dts": (".dts", ".dts", ".dtsi"), "json": (".json",),
          "defconfig": ("_defconfig",), "license": ("",)}
_FORBIDDEN_NAMES = {"checkpatch.pl", "get_maintainer.pl"}


def _name_files(leaf: _Leaf, count: int, rng: random.Random, own: Sequence[str]) -> list[str]:
    """The leaf's ``count`` file paths: the anchors it holds (``own``) and new names."""
    taken = set(own)
    base = leaf.path.rsplit("/", 1)[-1]
    names: list[str] = []
    extras: list[str] = []
    if leaf.kind in ("c", "dts", "selftest") and count >= 3:
        extras.append("Makefile")
    if leaf.kind == "c" and count >= 6 and leaf.path.split("/")[0] in (
            "drivers", "fs", "net", "sound", "security", "crypto", "lib", "kernel", "mm"):
        extras.append("Kconfig")
    if leaf.kind == "selftest" and count >= 4:
        extras.append("config")
    if leaf.kind == "doc" and count >= 3:
        extras.append("index.rst")
    for name in extras:
        if f"{leaf.path}/{name}" not in taken:
            names.append(name)
    exts = _C_EXT[leaf.kind]
    if leaf.path.startswith("include/") or base in ("linux", "include", "asm"):
        base = rng.choice(_WORDS)
    seen = set(names)
    misses = 0
    while len(names) + len(own) < count:
        ext = rng.choice(exts)
        w1, w2 = rng.choice(_WORDS), rng.choice(_WORDS)
        if leaf.kind == "yaml":
            stem = f"{rng.choice(_DTS_VENDORS)},{w1}-{w2}"
        elif leaf.kind == "dts":
            stem = f"{base}{rng.randint(1, 99):02d}-{w1}" if rng.random() < 0.5 \
                else f"{w1}{rng.randint(100, 9999)}-{w2}"
        elif leaf.kind == "defconfig":
            stem = f"{w1}{rng.randint(0, 99) if rng.random() < 0.5 else ''}"
        elif leaf.kind == "license":
            stem = f"{w1.upper()}-{rng.randint(1, 3)}.0"
        else:
            pat = rng.random()
            stem = (w1 if pat < 0.3 else f"{base}_{w1}" if pat < 0.55 else
                    f"{base}-{w1}" if pat < 0.65 else f"{w1}_{w2}" if pat < 0.85 else
                    f"{w1}{rng.randint(2, 999)}")
            if leaf.kind == "doc":
                stem = stem.replace("_", "-")
        if misses > 20:  # a crowded directory: number the names
            stem = f"{stem}{misses}"
        name = stem + ext
        if name in _FORBIDDEN_NAMES or f"{leaf.path}/{name}" in taken or name in seen:
            misses += 1
            continue
        misses = 0
        seen.add(name)
        names.append(name)
    return sorted([*own, *(f"{leaf.path}/{n}" for n in names[: count - len(own)])])


# --------------------------------------------------------------------------
# contents


_BLOCKS = 256
_LICENSES = ("GPL-2.0", "GPL-2.0-only", "GPL-2.0-or-later")


class _Text:
    """Pools of generated text, made once per seed; files pick from them."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.functions = [self._function() for _ in range(500)]
        self.fn_lines = [f.count("\n") for f in self.functions]
        self.paragraphs = [_paragraph(rng, rng.randint(2, 7)) for _ in range(300)]
        self.configs = [f"CONFIG_{rng.choice(_WORDS).upper()}_{rng.choice(_NOUNS).upper()}"
                        for _ in range(400)]
        self.blocks = self._blocks()
        self.other_pools = self._other_pools()
        self.help = [f"\thelp\n\t  {' '.join(rng.sample(_PROSE, 8))}\n\t  {' '.join(rng.sample(_PROSE, 8))}\n"
                     for _ in range(_BLOCKS)]

    # C ------------------------------------------------------------------
    def statement(self, ind: int, depth: int = 0) -> list[str]:
        rng, t = self.rng, "\t" * ind
        v, n, f = rng.choice(_VERBS), rng.choice(_NOUNS), rng.choice(_FIELDS)
        k = rng.random()
        if k < 0.18:
            return [f"{t}ret = @P@_{v}_{n}(priv, {rng.choice(('0', 'true', 'false', 'flags', 'val', 'i'))});",
                    f"{t}if (ret)", f"{t}\treturn ret;"]
        if k < 0.30:
            return [f"{t}val = readl(priv->base + @PU@_REG_{n.upper()});"]
        if k < 0.40:
            return [f"{t}writel(val | @PU@_{n.upper()}_EN, priv->base + @PU@_REG_{n.upper()});"]
        if k < 0.50:
            return [f"{t}priv->{f} = {rng.choice(('val', 'i', '0', 'ret', f'BIT({rng.randint(0, 31)})'))};"]
        if k < 0.58:
            msg = " ".join(rng.sample(_PROSE, 3))
            return [f"{t}if (!priv->{f}) {{", f'{t}\tdev_err(dev, "failed to {v} {n}: {msg} %d\\n", ret);',
                    f"{t}\treturn -{rng.choice(('EINVAL', 'ENODEV', 'ENOMEM', 'EBUSY', 'EIO'))};", f"{t}}}"]
        if k < 0.64 and depth < 2:
            body = [x for _ in range(rng.randint(1, 3)) for x in self.statement(ind + 1, depth + 1)]
            return [f"{t}for (i = 0; i < priv->num_{n}s; i++) {{", *body, f"{t}}}"]
        if k < 0.70 and depth == 0:
            body = [x for _ in range(rng.randint(1, 3)) for x in self.statement(ind + 1, depth + 1)]
            return [f"{t}mutex_lock(&priv->lock);", *body, f"{t}mutex_unlock(&priv->lock);"]
        if k < 0.75 and depth == 0:
            body = [x for _ in range(rng.randint(1, 2)) for x in self.statement(ind + 1, depth + 1)]
            return [f"{t}spin_lock_irqsave(&priv->slock, flags);", *body,
                    f"{t}spin_unlock_irqrestore(&priv->slock, flags);"]
        if k < 0.82:
            words = rng.sample(_PROSE, rng.randint(6, 12))
            return [f"{t}/*", f"{t} * {' '.join(words[:6])}", f"{t} * {' '.join(words[6:])}", f"{t} */"]
        if k < 0.88 and depth < 2:
            lines = [f"{t}switch (priv->{f}) {{"]
            for c in rng.sample(_NOUNS, rng.randint(2, 4)):
                lines += [f"{t}case @PU@_{c.upper()}:", *self.statement(ind + 1, 2), f"{t}\tbreak;"]
            return [*lines, f"{t}default:", f"{t}\treturn -EINVAL;", f"{t}}}"]
        if k < 0.94:
            return [f"{t}val = FIELD_GET(@PU@_{n.upper()}_MASK, val);", f"{t}i += val;"]
        return [f"{t}usleep_range({rng.randint(1, 50) * 10}, {rng.randint(60, 200) * 10});"]

    def _function(self) -> str:
        rng = self.rng
        v, n = rng.choice(_VERBS), rng.choice(_NOUNS)
        static = "static " if rng.random() < 0.8 else ""
        body: list[str] = []
        for _ in range(rng.randint(1, 12)):
            body += self.statement(1)
        arg = rng.choice(("", ", u32 flags", ", unsigned int idx", ", bool enable"))
        lines = [f"{static}int @P@_{v}_{n}_{rng.randint(0, 99)}(struct @P@_priv *priv{arg})",
                 "{", "\tstruct device *dev = priv->dev;", "\tunsigned long flags;",
                 "\tu32 val = 0;", "\tint ret = 0, i;", "", *body, "", "\treturn ret;", "}", "", ""]
        return "\n".join(lines)

    def c_file(self, path: str, rng: random.Random, header: bool) -> bytes:
        r = rng.random
        p = _ident(path.rsplit("/", 1)[-1].rsplit(".", 1)[0])[:24]
        lines = _lognorm(rng, 3.9, 0.9, 12, 1500) if header else _lognorm(rng, 4.6, 0.8, 50, 3000)
        blocks = self.blocks
        lic = _LICENSES[int(r() * 3)]
        out = [f"/* SPDX-License-Identifier: {lic} */\n" if header
               else f"// SPDX-License-Identifier: {lic}\n",
               f"/*\n * {p} {_NOUNS[int(r() * len(_NOUNS))]} support\n *\n * Copyright (C) "
               f"{1995 + int(r() * 27)} {_FIRST[int(r() * len(_FIRST))]} "
               f"{_LAST[int(r() * len(_LAST))]}\n */\n"]
        guard = _ident(path).upper()
        if header:
            out.append(f"#ifndef _{guard}\n#define _{guard}\n\n")
        out += [blocks[0][int(r() * _BLOCKS)], blocks[1][int(r() * _BLOCKS)],
                blocks[2][int(r() * _BLOCKS)]]
        have = sum(x.count("\n") for x in out)
        if header:
            protos = blocks[3]
            while have < lines:
                out.append(protos[int(r() * _BLOCKS)])
                have += 8
                if r() < 0.15:
                    out.append("\n" + self.inlines[int(r() * len(self.inlines))])
                    have += 20
            out.append(f"\n#endif /* _{guard} */\n")
        else:
            pool, sizes, n = self.functions, self.fn_lines, len(self.functions)
            while have < lines - 8:
                i = int(r() * n)
                out.append(pool[i])
                have += sizes[i]
            out.append(blocks[4][int(r() * _BLOCKS)])
        return "".join(out).replace("@PU@", p.upper()).replace("@P@", p).encode()

    def _blocks(self) -> list[list[str]]:
        """Pre-rendered includes, defines, structs, prototypes and footers (``@P@`` inside)."""
        rng = self.rng
        includes = ["".join(f"#include <{h}>\n" for h in sorted(rng.sample(_HEADERS, rng.randint(3, 10))))
                    + "\n" for _ in range(_BLOCKS)]
        defines = ["".join(f"#define @PU@_REG_{n.upper()}\t\t0x{i * 4:02x}\n"
                           for i, n in enumerate(rng.sample(_NOUNS, rng.randint(3, 12)))) + "\n"
                   for _ in range(_BLOCKS)]
        structs = ["struct @P@_priv {\n\tstruct device *dev;\n\tvoid __iomem *base;\n"
                   "\tstruct mutex lock;\n\tspinlock_t slock;\n"
                   + "".join(f"\tu32 {f};\n" for f in rng.sample(_FIELDS, rng.randint(2, 8)))
                   + "};\n\n" for _ in range(_BLOCKS)]
        protos = ["".join(rng.choice(self.functions).split("\n", 1)[0].removeprefix("static ")
                          + ";\n" for _ in range(8)) for _ in range(_BLOCKS)]
        self.inlines = ["static inline " + f.removeprefix("static ") for f in self.functions
                        if f.count("\n") < 30]
        footers = [f"static const struct of_device_id @P@_of_match[] = {{\n"
                   f"\t{{ .compatible = \"{rng.choice(_DTS_VENDORS)},@P@\" }},\n"
                   f"\t{{ }}\n}};\nMODULE_DEVICE_TABLE(of, @P@_of_match);\n\n"
                   f"MODULE_AUTHOR(\"{rng.choice(_FIRST)} {rng.choice(_LAST)}\");\n"
                   f"MODULE_DESCRIPTION(\"@P@ driver\");\nMODULE_LICENSE(\"GPL\");\n"
                   for _ in range(_BLOCKS)]
        return [includes, defines, structs, protos, footers]

    def prose_file(self, path: str, rng: random.Random) -> bytes:
        title = path.rsplit("/", 1)[-1].rsplit(".", 1)[0].replace("-", " ").replace("_", " ")
        lines = _lognorm(rng, 4.3, 0.8, 10, 2000)
        out = [".. SPDX-License-Identifier: GPL-2.0\n\n", f"{'=' * len(title)}\n{title}\n{'=' * len(title)}\n\n"]
        have = 5
        while have < lines:
            if rng.random() < 0.25:
                head = " ".join(rng.sample(_PROSE, 3)).capitalize()
                out.append(f"{head}\n{'-' * len(head)}\n\n")
                have += 3
            para = rng.choice(self.paragraphs)
            out.append(para)
            have += para.count("\n")
        return "".join(out).encode()

    def other_file(self, path: str, kind: str, rng: random.Random, siblings: Sequence[str]) -> bytes:
        name = path.rsplit("/", 1)[-1]
        d = _ident(path.rsplit("/", 2)[-2]).upper()
        if name == "Makefile":
            objs = [s.rsplit("/", 1)[-1][:-2] for s in siblings if s.endswith((".c", ".dts"))]
            return ("# SPDX-License-Identifier: GPL-2.0\n" + "".join(
                f"obj-$(CONFIG_{d}_{_ident(o).upper()})\t+= {o}.o\n" for o in objs) or "\n").encode()
        if name == "Kconfig":
            objs = [s.rsplit("/", 1)[-1][:-2] for s in siblings if s.endswith(".c")]
            return ("# SPDX-License-Identifier: GPL-2.0-only\n" + "".join(
                f"config {d}_{_ident(o).upper()}\n\ttristate \"{o} support\"\n\tdepends on {d}\n"
                f"{self.help[int(rng.random() * _BLOCKS)]}\n" for o in objs)).encode()
        if name == "config" or kind == "defconfig":
            n = _lognorm(rng, 4.3, 0.6, 5, 600)
            return "".join(f"{c}=y\n" for c in sorted(set(rng.choices(self.configs, k=n)))).encode()
        pools, r = self.other_pools, rng.random
        if kind == "yaml":
            n = _lognorm(rng, 4.0, 0.4, 30, 400)
            props = "".join(pools["yaml"][int(r() * _BLOCKS)] for _ in range(max(1, n // 4)))
            stem = name[:-5]
            return (f"# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)\n%YAML 1.2\n---\n"
                    f"$id: http://devicetree.org/schemas/{stem}.yaml#\n"
                    f"$schema: http://devicetree.org/meta-schemas/core.yaml#\n\ntitle: {stem} bindings\n\n"
                    f"properties:\n  compatible:\n    const: {stem}\n\n{props}required:\n  - compatible\n\n"
                    f"additionalProperties: false\n").encode()
        if kind == "dts":
            n = _lognorm(rng, 4.6, 0.9, 20, 3000)
            nodes = "".join(pools["dts"][int(r() * _BLOCKS)] for _ in range(max(1, n // 6)))
            return (f"// SPDX-License-Identifier: GPL-2.0\n/dts-v1/;\n\n#include \"{rng.choice(_WORDS)}.dtsi\"\n\n"
                    f"/ {{\n{nodes}}};\n").encode()
        if kind == "json":
            n = _lognorm(rng, 4.0, 0.9, 5, 2000) // 7
            return ("[\n" + ",\n".join(pools["json"][int(r() * _BLOCKS)] for _ in range(max(1, n)))
                    + "\n]\n").encode()
        if kind == "license":
            return "".join(rng.choice(self.paragraphs) for _ in range(rng.randint(2, 20))).encode()
        # scripts: shell, perl, python
        n = _lognorm(rng, 4.0, 0.9, 10, 2000)
        ext = name.rsplit(".", 1)[-1]
        if ext not in ("py", "pl"):
            ext = "sh"
        head = {"sh": "#!/bin/sh\n# SPDX-License-Identifier: GPL-2.0\n",
                "pl": "#!/usr/bin/env perl\n# SPDX-License-Identifier: GPL-2.0\nuse strict;\nuse warnings;\n",
                "py": "#!/usr/bin/env python3\n# SPDX-License-Identifier: GPL-2.0\nimport sys\n"}[ext]
        pool = pools[ext]
        body = [pool[int(r() * _BLOCKS)].replace("@N@", str(i)) for i in range(max(1, n // 4))]
        return (head + "".join(body)).encode()

    def _other_pools(self) -> dict[str, list[str]]:
        rng, pools = self.rng, {}
        pools["yaml"] = [f"  {rng.choice(_NOUNS)}-{rng.choice(_FIELDS)}:\n    description: "
                         f"{' '.join(rng.sample(_PROSE, 7))}\n    maxItems: {rng.randint(1, 8)}\n\n"
                         for _ in range(_BLOCKS)]
        pools["dts"] = []
        for _ in range(_BLOCKS):
            node = rng.choice(_NOUNS)
            pools["dts"].append(
                f"\t{node}@{rng.randint(0, 0xffff) * 16:x} {{\n"
                f"\t\tcompatible = \"{rng.choice(_DTS_VENDORS)},{node}\";\n"
                f"\t\treg = <0x{rng.randint(0, 0xfffff) * 256:x} 0x1000>;\n\t\tstatus = \"okay\";\n\t}};\n\n")
        pools["json"] = [
            f"    {{\n        \"EventCode\": \"0x{rng.randint(0, 255):02x}\",\n        \"EventName\": "
            f"\"{rng.choice(_NOUNS).upper()}.{rng.choice(_FIELDS).upper()}\",\n        \"BriefDescription\": "
            f"\"{' '.join(rng.sample(_PROSE, 6))}\"\n    }}" for _ in range(_BLOCKS)]
        pools["py"] = [f"def {rng.choice(_WORDS)}_@N@(arg):\n    # {' '.join(rng.sample(_PROSE, 6))}\n"
                       f"    return arg + {rng.randint(1, 99)}\n\n" for _ in range(_BLOCKS)]
        pools["pl"] = [f"sub {rng.choice(_WORDS)}_@N@ {{\n\tmy ($arg) = @_;\n\treturn $arg + "
                       f"{rng.randint(1, 99)}; # {rng.choice(_PROSE)}\n}}\n" for _ in range(_BLOCKS)]
        pools["sh"] = [f"{(w := rng.choice(_WORDS))}_@N@() {{\n\t# {' '.join(rng.sample(_PROSE, 6))}\n"
                       f"\techo \"{w} $1\"\n}}\n" for _ in range(_BLOCKS)]
        return pools


# --------------------------------------------------------------------------
# MAINTAINERS

_PREAMBLE = """\
List of maintainers and how to submit kernel changes
====================================================

Please try to follow the guidelines below.  This will make things
easier on the maintainers.  Not all of these guidelines matter for every
trivial patch so apply some common sense.

Descriptions of section entries and preferred order
---------------------------------------------------

\tM: *Mail* patches to: FullName <address@domain>
\tR: Designated *Reviewer*: FullName <address@domain>
\t   These reviewers should be CCed on patches.
\tL: *Mailing list* that is relevant to this area
\tS: *Status*, one of the following:
\t   Supported:\tSomeone is actually paid to look after this.
\t   Maintained:\tSomeone actually looks after it.
\t   Odd Fixes:\tIt has a maintainer but they don't have time to do
\t\t\tmuch other than throw the odd patch in. See below..
\t   Orphan:\tNo current maintainer [but maybe you could take the
\t\t\trole as you write your new code].
\t   Obsolete:\tOld code. Something tagged obsolete generally means
\t\t\tit has been replaced by a better system and you
\t\t\tshould be using that.
\tW: *Web-page* with status/info
\tQ: *Patchwork* web based patch tracking system site
\tB: URI for where to file *bugs*. A web-page with detailed bug
\t   filing info, a direct bug tracker link, or a mailto: URI.
\tC: URI for *chat* protocol, server and channel where developers
\t   usually hang out, for example irc://server/channel.
\tP: Subsystem Profile document for more details submitting
\t   patches to the given subsystem. This is either an in-tree file,
\t   or a URI. See Documentation/maintainer/maintainer-entry-profile.rst
\t   for details.
\tT: *SCM* tree type and location.
\t   Type is one of: git, hg, quilt, stgit, topgit
\tF: *Files* and directories wildcard patterns.
\t   A trailing slash includes all files and subdirectory files.
\t   F:\tdrivers/net/\tall files in and below drivers/net
\t   F:\tdrivers/net/*\tall files in drivers/net, but not below
\t   F:\t*/net/*\t\tall files in "any top level directory"/net
\t   One pattern per line.  Multiple F: lines acceptable.
\tX: *Excluded* files and directories that are NOT maintained, same
\t   rules as F:. Files exclusions are tested before file matches.
\t   Can be useful for excluding a specific subdirectory, for instance:
\t   F:\tnet/
\t   X:\tnet/ipv6/
\t   matches all files in and below net excluding net/ipv6/
\tN: Files and directories *Regex* patterns.
\t   N:\t[^a-z]tegra\tall files whose path contains tegra
\t                        (not including files like integrator)
\t   One pattern per line.  Multiple N: lines acceptable.
\t   scripts/get_maintainer.pl has different behavior for files that
\t   match F: pattern and matches of N: patterns.  By default,
\t   get_maintainer will not look at git log history when an F: pattern
\t   match occurs.  When an N: match occurs, git log history is used
\t   to also notify the people that have git commit signatures.
\tK: *Content regex* (perl extended) pattern match in a patch or file.
\t   For instance:
\t   K: of_get_profile
\t      matches patches or files that contain "of_get_profile"
\t   K: \\b(printk|pr_(info|err))\\b
\t      matches patches or files that contain one or more of the words
\t      printk, pr_info or pr_err
\t   One regex pattern per line.  Multiple K: lines acceptable.

Maintainers List
----------------

.. note:: When reading this list, please look for the most precise areas
          first. When adding to this list, please keep the entries in
          alphabetical order.

"""
_THE_REST = f"""\
THE REST
M:\t{_LINUS}
L:\tlinux-kernel@vger.kernel.org
S:\tBuried alive in reporters
T:\tgit git://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git
F:\t*
F:\t*/
"""
_LISTS = {
    "drivers/net/wireless": "linux-wireless@vger.kernel.org", "drivers/net": "netdev@vger.kernel.org",
    "net": "netdev@vger.kernel.org", "drivers/gpu": "dri-devel@lists.freedesktop.org",
    "fs": "linux-fsdevel@vger.kernel.org", "arch/arm": "linux-arm-kernel@lists.infradead.org",
    "arch/arm64": "linux-arm-kernel@lists.infradead.org", "arch/powerpc": "linuxppc-dev@lists.ozlabs.org",
    "arch/x86": "x86@kernel.org", "security/selinux": "selinux@vger.kernel.org",
    "security": "linux-security-module@vger.kernel.org", "drivers/usb": "linux-usb@vger.kernel.org",
    "drivers/scsi": "linux-scsi@vger.kernel.org", "drivers/media": "linux-media@vger.kernel.org",
    "drivers/iio": "linux-iio@vger.kernel.org", "sound": "alsa-devel@alsa-project.org (moderated for non-subscribers)",
    "Documentation/devicetree": "devicetree@vger.kernel.org", "Documentation": "linux-doc@vger.kernel.org",
    "tools/testing/selftests": "linux-kselftest@vger.kernel.org", "mm": "linux-mm@kvack.org",
    "kernel/bpf": "bpf@vger.kernel.org", "drivers/infiniband": "linux-rdma@vger.kernel.org",
    "kernel": "linux-kernel@vger.kernel.org",
}
_KIND_TITLE = {"drivers/net/ethernet": "ETHERNET DRIVER", "drivers/net/wireless": "WIRELESS DRIVER",
               "drivers/gpu/drm": "DRM DRIVER", "fs": "FILESYSTEM", "sound": "SOUND DRIVER",
               "Documentation/devicetree": "DEVICE TREE BINDINGS", "Documentation": "DOCUMENTATION",
               "tools/testing/selftests": "KSELFTEST", "tools": "TOOLS", "net": "NETWORKING",
               "arch": "ARCHITECTURE SUPPORT", "include": "HEADERS", "security": "SECURITY MODULE",
               "kernel": "CORE KERNEL", "drivers": "DRIVER"}
_UMBRELLAS = (
    ("NETWORKING DRIVERS", ["drivers/net/"], ["drivers/net/wireless/"]),
    ("NETWORKING [GENERAL]", ["net/", "include/net/", "include/linux/net.h"], ["net/bluetooth/", "net/wireless/"]),
    ("NETWORKING DRIVERS (WIRELESS)", ["drivers/net/wireless/"], []),
    ("DRM DRIVERS", ["drivers/gpu/", "include/drm/", "include/uapi/drm/"], ["drivers/gpu/drm/i915/"]),
    ("FILESYSTEMS (VFS and infrastructure)", ["fs/*", "include/linux/fs.h"], []),
    ("MEMORY MANAGEMENT", ["mm/", "include/linux/mm.h", "include/linux/gfp.h"], []),
    ("SECURITY SUBSYSTEM", ["security/", "include/linux/security.h"], ["security/selinux/"]),
    ("SELINUX SECURITY MODULE", ["security/selinux/", "scripts/selinux/"], []),
    ("SMACK SECURITY MODULE", ["security/smack/"], []),
    ("APPARMOR SECURITY MODULE", ["security/apparmor/"], []),
    ("LINUX SECURITY MODULE (LSM) FRAMEWORK", ["security/security.c", "include/linux/lsm_hooks.h",
                                               "include/linux/lsm_hook_defs.h"], []),
    ("AUDIT SUBSYSTEM", ["kernel/audit*", "include/linux/audit.h", "include/uapi/linux/audit.h"], []),
    ("IO_URING", ["fs/io_uring.c", "include/linux/io_uring.h", "include/uapi/linux/io_uring.h",
                  "tools/io_uring/"], []),
    ("SCHEDULER", ["kernel/sched/", "include/linux/sched.h"], []),
    ("X86 ARCHITECTURE (32-BIT AND 64-BIT)", ["arch/x86/"], ["arch/x86/kvm/", "arch/x86/platform/"]),
    ("ARM64 PORT (AARCH64 ARCHITECTURE)", ["arch/arm64/"], ["arch/arm64/boot/dts/"]),
    ("ARM PORT", ["arch/arm/"], ["arch/arm/boot/dts/"]),
    ("LINUX FOR POWERPC (32-BIT AND 64-BIT)", ["arch/powerpc/"], []),
    ("MIPS", ["arch/mips/"], []),
    ("RISC-V ARCHITECTURE", ["arch/riscv/"], []),
    ("S390", ["arch/s390/", "drivers/s390/"], []),
    ("USB SUBSYSTEM", ["drivers/usb/", "include/linux/usb.h"], []),
    ("SCSI SUBSYSTEM", ["drivers/scsi/", "include/scsi/"], []),
    ("MEDIA INPUT INFRASTRUCTURE (V4L/DVB)", ["drivers/media/", "include/media/"], []),
    ("IIO SUBSYSTEM AND DRIVERS", ["drivers/iio/", "include/linux/iio/"], []),
    ("SOUND", ["sound/", "include/sound/", "include/uapi/sound/"], []),
    ("DOCUMENTATION", ["Documentation/", "scripts/kernel-doc"], ["Documentation/ABI/",
                                                                 "Documentation/devicetree/"]),
    ("OPEN FIRMWARE AND FLATTENED DEVICE TREE BINDINGS", ["Documentation/devicetree/",
                                                          "include/dt-bindings/"], []),
    ("KERNEL SELFTEST FRAMEWORK", ["tools/testing/selftests/"], []),
    ("PERFORMANCE EVENTS SUBSYSTEM", ["tools/perf/", "kernel/events/", "arch/x86/events/"], []),
    ("BPF (Safe dynamic programs and tools)", ["kernel/bpf/", "tools/lib/bpf/", "tools/bpf/"], []),
    ("KERNEL BUILD + files below scripts/ (unless maintained elsewhere)",
     ["scripts/", "Makefile", "Kbuild"], ["scripts/coccinelle/", "scripts/selinux/"]),
    ("CRYPTO API", ["crypto/", "drivers/crypto/", "include/crypto/"], []),
    ("BLOCK LAYER", ["block/", "include/linux/blkdev.h"], []),
    ("LIBRARY CODE", ["lib/*"], []),
    ("LICENSES and SPDX stuff", ["LICENSES/"], []),
)


def _people(rng: random.Random, n: int) -> list[str]:
    out, seen = [], set()
    while len(out) < n:
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        if (first, last) in seen:
            if len(seen) >= len(_FIRST) * len(_LAST):
                seen.clear()
            continue
        seen.add((first, last))
        out.append(f"{first} {last} <{first.lower()}.{last.lower()}@{rng.choice(_DOMAINS)}>")
    return out


def _maintainers(rng: random.Random, leaves: list[_Leaf], files: list[str], n_files: int
                 ) -> tuple[str, int, int]:
    """Returns (MAINTAINERS text, sections, F:/X:/N: patterns)."""
    target = max(12, round(3000 * n_files / _FULL))
    per_section = 8.0
    people = _people(rng, max(20, target))
    dirs = {leaf.path for leaf in leaves}
    headers = [f for f in files if f.startswith("include/") and f.endswith(".h")] or files
    docs = [f for f in files if f.startswith("Documentation/")] or files
    sections: dict[str, list[str]] = {}

    def exists(pattern: str) -> bool:
        p = pattern.rstrip("/*")
        return p in dirs or any(d.startswith(p + "/") for d in dirs) or (
            bisect.bisect_left(files, p) < len(files) and files[bisect.bisect_left(files, p)].startswith(p))

    def list_for(path: str) -> str:
        best = max((k for k in _LISTS if path == k or path.startswith(k + "/")), key=len, default="")
        return _LISTS.get(best) or f"linux-{_ident(path.split('/')[-1]).replace('_', '-')}@vger.kernel.org"

    def head_lines(path: str) -> list[str]:
        status = rng.choices(("Maintained", "Supported", "Odd Fixes", "Orphan", "Obsolete"),
                             (60, 30, 6, 3, 1))[0]
        out = [] if status == "Orphan" else [f"M:\t{p}" for p in rng.sample(people, rng.choice((1, 1, 1, 2, 2, 3)))]
        out += [f"R:\t{p}" for p in rng.sample(people, rng.choice((0, 0, 0, 1, 2, 3)))]
        lst = list_for(path)
        out.append(f"L:\t{lst}")
        if rng.random() < 0.2 and "linux-kernel" not in lst:
            out.append("L:\tlinux-kernel@vger.kernel.org")
        out.append(f"S:\t{status}")
        if rng.random() < 0.15:
            out.append(f"W:\thttps://{rng.choice(_WORDS)}.wiki.kernel.org/")
        if rng.random() < 0.1:
            out.append(f"Q:\thttps://patchwork.kernel.org/project/{_ident(path.split('/')[-1])}/list/")
        if rng.random() < 0.35:
            out.append(f"T:\tgit git://git.kernel.org/pub/scm/linux/kernel/git/{rng.choice(_LAST).lower()}/"
                       f"{_ident(path.split('/')[-1])}.git")
        return out

    def extras(path: str, n: int, in_dir: Sequence[str]) -> list[str]:
        out: list[str] = []
        word = re.sub(r"[^a-z0-9]", "", path.rsplit("/", 1)[-1].split(".")[0].lower())
        for _ in range(n):
            k = rng.random()
            if k < 0.3 and in_dir:
                out.append(f"F:\t{rng.choice(in_dir)}")
            elif k < 0.5:
                out.append(f"F:\t{rng.choice(headers)}")
            elif k < 0.7:
                out.append(f"F:\t{rng.choice(docs)}")
            elif k < 0.8 and in_dir:
                f = rng.choice(in_dir)
                stem = f.rsplit("/", 1)[-1]
                out.append(f"F:\t{f.rsplit('/', 1)[0]}/{stem[:max(2, len(stem) // 3)]}*")
            elif k < 0.9 and in_dir:
                out.append(f"X:\t{rng.choice(in_dir)}")
            else:
                out.append(f"N:\t{word}" if len(word) > 3 else f"F:\t{rng.choice(files)}")
        if rng.random() < 0.1:
            out.append(f"K:\t\\b{word}_\\w+")
        return out

    def unique(title: str) -> str:
        base, i = title, 1
        while title in sections:
            i += 1
            title = f"{base} ({i})"
        return title

    by_dir: dict[str, list[str]] = {}
    for f in files:
        by_dir.setdefault(f.rsplit("/", 1)[0], []).append(f)
    for title, fs, xs in _UMBRELLAS:
        fs = [p for p in fs if exists(p)]
        if fs:
            lines = head_lines(fs[0]) + [f"F:\t{p}" for p in fs] + [f"X:\t{p}" for p in xs if exists(p)]
            sections[title] = lines
    live = [leaf for leaf in leaves if leaf.files]
    rng.shuffle(live)
    n_dir_sections = min(len(live), int(target * 0.55))
    for leaf in live[:n_dir_sections]:
        parts = leaf.path.split("/")
        kind = max((k for k in _KIND_TITLE if leaf.path.startswith(k + "/")), key=len, default="")
        name = " ".join(parts[len(kind.split("/")):] if kind else parts).upper().replace("/", " ")
        title = unique(f"{name} {_KIND_TITLE.get(kind, 'SUPPORT')}".strip())
        k = max(0, min(60, int(rng.expovariate(1 / (per_section - 1.5)))))
        sections[title] = [*head_lines(leaf.path), f"F:\t{leaf.path}/",
                           *extras(leaf.path, k, by_dir.get(leaf.path, []))]
    pool = [f for f in files if f.endswith((".c", ".h", ".yaml", ".rst"))] or files
    while len(sections) < target:
        f = rng.choice(pool)
        d, name = f.rsplit("/", 1)
        stem = name.split(".")[0].replace("_", " ").replace("-", " ").replace(",", " ").upper()
        title = unique(f"{stem} {d.rsplit('/', 1)[-1].upper()} DRIVER")
        k = max(0, min(40, int(rng.expovariate(1 / (per_section - 1)))))
        sections[title] = [*head_lines(d), f"F:\t{f}", *extras(f, k, by_dir.get(d, []))]
    out = [_PREAMBLE]
    n_patterns = 2
    for title in sorted(sections, key=lambda t: (t.casefold(), t)):
        lines = sections[title]
        tags = [ln for ln in lines if ln[0] not in "FXNK"]
        pats = sorted(set(ln for ln in lines if ln[0] in "FXNK"), key=lambda ln: ("FXNK".index(ln[0]), ln))
        n_patterns += sum(1 for ln in pats if ln[0] in "FXN")
        out.append("\n".join([title, *tags, *pats]) + "\n\n")
    out.append(_THE_REST)
    return "".join(out), len(sections) + 1, n_patterns


# --------------------------------------------------------------------------
# edits (history and series)

_STMT = re.compile(r"^\t+[^\t/*].*;$")
_NEW_LINES = (
    "{t}if (!{x})\n{t}\treturn -EINVAL;",
    "{t}WARN_ON_ONCE(!{x});",
    "{t}/* {c} */",
    "{t}{x} = 0;",
    "{t}smp_wmb();",
    "{t}ret = {x}_check(priv, {n});\n{t}if (ret)\n{t}\tgoto out;",
    "{t}might_sleep();",
    "{t}if (unlikely({x} > {n}))\n{t}\t{x} = {n};",
)


def _statements(lines: Sequence[str]) -> list[int]:
    """Statement lines inside function bodies; else top-level declarations; else any line."""
    out, inside = [], False
    for i, ln in enumerate(lines):
        if ln == "{":
            inside = True
        elif ln == "}":
            inside = False
        elif inside and _STMT.match(ln):
            out.append(i)
    if out:
        return out
    return [i for i, ln in enumerate(lines) if ln.endswith(";")] or list(range(len(lines) - 1))


def _new_lines(line: str, rng: random.Random) -> list[str]:
    t = line[: len(line) - len(line.lstrip("\t"))]
    if not t:
        return [f"/* {' '.join(rng.sample(_PROSE, rng.randint(3, 7)))} */"]
    idents = re.findall(r"[a-z_][a-z0-9_]{2,}", line)
    x = rng.choice(idents) if idents else "val"
    c = " ".join(rng.sample(_PROSE, rng.randint(3, 7)))
    return rng.choice(_NEW_LINES).format(t=t, x=x, c=c, n=rng.randint(2, 64)).split("\n")


def _modify(line: str, rng: random.Random) -> str:
    nums = list(re.finditer(r"\b\d+\b", line))
    if nums and rng.random() < 0.6:
        m = rng.choice(nums)
        return f"{line[:m.start()]}{int(m.group()) + rng.randint(1, 9)}{line[m.end():]}"
    if "ret" in line and rng.random() < 0.5:
        return line.replace("ret", "err")
    return f"{line} /* {' '.join(rng.sample(_PROSE, 3))} */"


def _edit(lines: list[str], at: int, op: str, rng: random.Random) -> int:
    """Applies one edit at line index ``at``; returns the change in line count."""
    if op == "insert":
        new = _new_lines(lines[at], rng)
        lines[at + 1:at + 1] = new
        return len(new)
    if op == "delete":
        del lines[at]
        return -1
    lines[at] = _modify(lines[at], rng)
    return 0


def _pick_spots(cands: Sequence[int], k: int, rng: random.Random, gap: int = 8,
                avoid: Callable[[int], bool] | None = None) -> list[int]:
    spots: list[int] = []
    pool = list(cands)
    rng.shuffle(pool)
    for i in pool:
        if len(spots) >= k:
            break
        if avoid and avoid(i):
            continue
        if all(abs(i - s) >= gap for s in spots):
            spots.append(i)
    return sorted(spots, reverse=True)


# --------------------------------------------------------------------------
# generate


@dataclass
class KernelRepo:
    """A generated repository and what was generated into it."""

    path: Path
    seed: int
    n_files: int
    n_commits: int
    n_sections: int
    n_patterns: int
    head: str
    tags: dict[str, str]  # tag name -> commit id (annotated tags, peeled)
    seconds: float = 0.0

    @property
    def git_dir(self) -> Path:
        return self.path / ".git"


def _subject_prefix(path: str) -> str:
    parts = path.split("/")[:-1]
    if not parts:
        return "treewide"
    if parts[0] == "drivers" and len(parts) > 2 and parts[1] == "gpu" and len(parts) > 3:
        return f"drm/{parts[3]}"
    if parts[0] == "drivers" and len(parts) > 3 and parts[1] == "net":
        return f"net: {parts[-1]}"
    if parts[0] == "arch" and len(parts) > 1:
        return parts[1]
    if parts[0] in ("security", "fs") and len(parts) > 1:
        return parts[1]
    if parts[0] == "Documentation":
        return "docs"
    if parts[0] == "tools" and "selftests" in parts:
        return f"selftests/{parts[-1]}"
    if path == "fs/io_uring.c":
        return "io_uring"
    return parts[-1] if len(parts) > 1 else parts[0]


def _message(rng: random.Random, path: str, trailer: str) -> str:
    subj = f"{_subject_prefix(path)}: {rng.choice(_VERBS)} {rng.choice(_NOUNS)} {rng.choice(_FIELDS)} handling"
    body = "".join(rng.choice(_MSG_PARAS) for _ in range(rng.randint(1, 2)))
    return f"{subj}\n\n{body}{trailer}\n"


def generate(dest: Path, n_files: int = 75_000, n_commits: int = 300, seed: int = 1, *,
             checkout: bool = False, reuse: bool = False) -> KernelRepo:
    """Builds a kernel-shaped repository at ``dest`` (which must not exist or be empty).

    ``reuse=True`` returns the repository already at ``dest`` if it was
    generated with the same arguments.  ``checkout=True`` also fills the work
    tree (slow for big trees); by default nothing is checked out.
    """
    dest = Path(dest)
    if n_files < 100:
        raise ValueError("n_files must be at least 100")
    if n_commits < len(RC_TAGS):
        raise ValueError(f"n_commits must be at least {len(RC_TAGS)}")
    if reuse and (dest / ".git" / _META).exists():
        repo = open_repo(dest)
        if (repo.n_files, repo.n_commits, repo.seed) == (n_files, n_commits, seed):
            return repo
    if dest.exists() and any(dest.iterdir()):
        raise FileExistsError(f"{dest} exists and is not empty")
    started = time.perf_counter()
    dest.mkdir(parents=True, exist_ok=True)
    _git(dest, "init", "-q", "-b", "master")
    # no automatic gc or maintenance in the middle of a benchmark
    _git(dest, "config", "gc.auto", "0")
    _git(dest, "config", "maintenance.auto", "false")

    rng = random.Random(seed)
    text = _Text(random.Random(seed * 7919 + 1))
    leaves = _Shape(rng, n_files / _FULL).build()
    # place anchors and top-level files, then allocate the rest by weight
    by_path = {leaf.path: leaf for leaf in leaves}
    anchored: dict[str, list[str]] = {}
    for a in _ANCHORS:
        d = a.rsplit("/", 1)[0]
        if d not in by_path:
            by_path[d] = _Leaf(d, 1, "h" if a.endswith(".h") and d.startswith("include") else "c")
            leaves.append(by_path[d])
        anchored.setdefault(d, []).append(a)
    counts = _allocate(leaves, n_files - len(_TOP_FILES) - 1)  # and MAINTAINERS
    floor = [len(anchored.get(leaf.path, ())) for leaf in leaves]
    for i in range(len(leaves)):  # anchors first: take their room from the biggest other leaves
        while counts[i] < floor[i]:
            counts[i] += 1
            donor = max((j for j in range(len(counts)) if counts[j] > floor[j]),
                        key=lambda j: (counts[j], -j))
            counts[donor] -= 1
    files: list[str] = list(_TOP_FILES)
    for leaf, count in zip(leaves, counts, strict=True):
        leaf.files = _name_files(leaf, count, rng, anchored.get(leaf.path, ())) if count else []
        files += leaf.files
    files.append("MAINTAINERS")
    files.sort()
    kinds = {f: leaf.kind for leaf in leaves for f in leaf.files}
    siblings = {leaf.path: leaf.files for leaf in leaves}
    maintainers, n_sections, n_patterns = _maintainers(rng, leaves, files, n_files)

    def content(path: str) -> bytes:
        if path == "MAINTAINERS":
            return maintainers.encode()
        frng = random.Random(f"{seed}:{path}")
        kind = kinds.get(path, "top")
        name = path.rsplit("/", 1)[-1]
        if kind == "top":
            if name in ("Makefile", "Kbuild", "Kconfig"):
                return text.other_file(f"x/{name}", "c", frng, [f"{t}/x.c" for t in ("kernel", "mm")])
            return "".join(frng.choice(text.paragraphs) for _ in range(frng.randint(3, 30))).encode()
        if name in ("Makefile", "Kconfig", "config"):
            return text.other_file(path, kind, frng, siblings[path.rsplit("/", 1)[0]])
        if name.endswith((".c", ".h")):
            return text.c_file(path, frng, name.endswith(".h"))
        if name.endswith((".rst", ".txt")):
            return text.prose_file(path, frng)
        return text.other_file(path, kind, frng, ())

    def executable(path: str) -> bool:
        return path.endswith((".sh", ".pl", ".py")) and path.startswith(("scripts/", "tools/"))

    fi = _FastImport(dest)
    mark = fi.commit("refs/heads/master", _LINUS, _T_ROOT, _LINUS, _T_ROOT, "Linux 5.13\n", None,
                     ((f, content(f), executable(f)) for f in files))
    fi.tag("v5.13", mark, _LINUS, _T_ROOT, "Linux 5.13\n")

    # history: a few lines in a few files per commit, tags at evenly spaced commits
    hrng = random.Random(seed * 104729 + 7)
    editable = [f for f in files if f.endswith((".c", ".h")) and not f.startswith("tools/")]
    hot = hrng.sample(editable, min(len(editable), max(10, n_commits // 2)))
    hot += [a for a in _ANCHORS if a.endswith(".c")]
    authors = _people(hrng, 60)
    current: dict[str, list[str]] = {}
    tag_at = {round(k * n_commits / len(RC_TAGS)): name for k, name in enumerate(RC_TAGS, 1)}
    span = _T_HEAD - _T_ROOT
    for c in range(1, n_commits + 1):
        when = _T_ROOT + span * c // n_commits - hrng.randint(0, min(3000, span // n_commits // 2))
        n_touch = hrng.choice((1, 1, 1, 2, 2, 3, 4))
        touched = sorted({hrng.choice(hot) if hrng.random() < 0.6 else hrng.choice(editable)
                          for _ in range(n_touch)})
        changes = []
        for path in touched:
            lines = current.get(path) or content(path).decode().split("\n")
            spots = _pick_spots(_statements(lines), hrng.randint(1, 3), hrng)
            for at in spots:
                _edit(lines, at, hrng.choices(("insert", "modify", "delete"), (5, 4, 1))[0], hrng)
            current[path] = lines
            changes.append((path, "\n".join(lines).encode(), False))
        author = hrng.choice(authors)
        msg = _message(hrng, touched[0], f"Signed-off-by: {author}\nSigned-off-by: {_LINUS}")
        mark = fi.commit("refs/heads/master", author, when - hrng.randint(3600, 86400 * 5),
                         _LINUS, when, msg, None, changes,
                         tz=hrng.choice(("-0700", "+0200", "+0100", "+0800", "-0400")))
        if c in tag_at:
            name = tag_at[c]
            fi.tag(name, mark, _LINUS, when + 60, f"Linux {name[1:]}\n")
    fi.close()

    tags = {}
    for line in _git(dest, "for-each-ref", "--format=%(refname:short) %(*objectname)", "refs/tags").splitlines():
        name, oid = line.split()
        tags[name] = oid
    head = _git(dest, "rev-parse", "HEAD").strip()
    if checkout:
        _git(dest, "checkout", "-q", "-f", "master")
    repo = KernelRepo(dest.resolve(), seed, n_files, n_commits, n_sections, n_patterns, head, tags,
                      round(time.perf_counter() - started, 3))
    meta = asdict(repo)
    meta["path"] = str(repo.path)
    (dest / ".git" / _META).write_text(json.dumps(meta, indent=1) + "\n")
    return repo


def open_repo(path: Path) -> KernelRepo:
    """The KernelRepo for a repository ``generate()`` made earlier."""
    meta = json.loads((Path(path) / ".git" / _META).read_text())
    meta["path"] = Path(path).resolve()
    return KernelRepo(**meta)


def disk_usage(path: Path) -> int:
    """Bytes allocated on disk under ``path``."""
    total = 0
    for root, _dirs, names in os.walk(path):
        for name in names:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(root, name)).st_blocks * 512
    return total


# --------------------------------------------------------------------------
# series


def _changed_regions(repo: Path, base: str, other: str, paths: Sequence[str]
                     ) -> dict[str, list[tuple[int, int, int]]]:
    """Upstream hunks from ``base`` to ``other`` per file, as base-side 0-based line indexes.

    Each is (first, last, net lines added): lines first..last were changed or,
    for a pure insertion, the insertion follows line ``last`` (= ``first``).
    """
    out: dict[str, list[tuple[int, int, int]]] = {}
    if not paths:
        return out
    diff = _git(repo, "diff", "-U0", "--no-color", "--no-renames", base, other, "--", *paths)
    cur = ""
    for line in diff.splitlines():
        if line.startswith("+++ b/"):
            cur = line[6:]
        elif line.startswith("@@ "):
            m = re.match(r"@@ -(\d+)(?:,(\d+))? \+\d+(?:,(\d+))? @@", line)
            if m:
                a, b = int(m.group(1)), int(m.group(2) or 1)
                d = int(m.group(3) or 1)
                first, last = (a - 1, a + b - 2) if b else (max(0, a - 1), max(0, a - 1))
                out.setdefault(cur, []).append((first, last, d - b))
    return out


def _read_blobs(repo: Path, commit: str, paths: Sequence[str]) -> dict[str, list[str]]:
    batch = "".join(f"{commit}:{f}\n" for f in paths).encode()
    raw = subprocess.run(["git", "-C", str(repo), "cat-file", "--batch"], input=batch,
                         capture_output=True, env=_env(), check=True).stdout
    out: dict[str, list[str]] = {}
    pos = 0
    for f in paths:
        header_end = raw.index(b"\n", pos)
        size = int(raw[pos:header_end].split()[2])
        out[f] = raw[header_end + 1: header_end + 1 + size].decode().split("\n")
        pos = header_end + 1 + size + 1
    return out


def _special_spot(lines: Sequence[str], spans: Sequence[list[int]], deltas: Sequence[int],
                  rng: random.Random, kind: str) -> tuple[int, str] | None:
    """Where to put the hunk that upstream's change at one of ``spans`` moves or touches."""
    def clear(j: int, own: int) -> bool:
        return all(not (a - 5 <= j <= b + 5) for k, (a, b) in enumerate(spans) if k != own)

    order = list(range(len(spans)))
    rng.shuffle(order)
    want_offset = kind == "offset" or (kind == "mixed" and rng.random() < 0.5)
    for k in order:
        b = spans[k][1]
        if want_offset and deltas[k]:  # below an upstream insertion or deletion: an offset
            cands = [j for j in range(b + 9, min(len(lines), b + 31))
                     if _STMT.match(lines[j]) and all(
                         not (pa - 8 <= j <= pb + 8) for pa, pb in spans)]
            if cands:
                return rng.choice(cands), rng.choice(("insert", "modify"))
        if kind == "offset":
            continue
        # three lines below: the hunk's context holds line b, which upstream changed
        # (or which upstream's insertion follows); b+1 and b+2 stay as they were
        if b + 3 < len(lines) and _STMT.match(lines[b + 3]) and clear(b + 3, k):
            return b + 3, "modify"
        if b + 3 < len(lines) and clear(b + 2, k):
            return b + 2, "insert"
    return None


def make_series(repo: KernelRepo | Path, base: str, n_patches: int, n_files: int, seed: int = 1,
                out: Path | None = None, *, drift_to: str | None = None,
                drift_kind: str = "mixed", cover_letter: bool = False) -> list[Path]:
    """Writes a ``git format-patch`` series of ``n_patches`` on ``base`` touching ``n_files`` files.

    The patches change a few hunks each in existing C files (a few files from
    one directory, then another); about a third of them also touch a file an
    earlier patch touched.  With ``drift_to`` (say ``v5.14-rc7`` for a
    ``v5.14-rc5`` base) up to half of the files are ones upstream changed
    between the two, and in each of those one hunk is put next to an upstream
    change: the series then applies on ``drift_to`` only with offsets (9..30
    lines below an upstream insertion or deletion) or a three-way merge (the
    hunk's context holds a line upstream changed, two unchanged lines away from
    the patch's own change, so ``git am -3`` merges it cleanly).  All other
    hunks keep 8+ lines away from upstream changes.  ``drift_kind`` is
    ``"mixed"`` (either, at random), ``"offset"`` or ``"3way"`` (only that kind).

    The commits are made by fast-import in a scratch repository that borrows
    the repository's objects, so the repository itself gains nothing.  Returns
    the patch files in order (the cover letter first when asked for); ``out``
    defaults to a new temporary directory.
    """
    if drift_kind not in ("mixed", "offset", "3way"):
        raise ValueError(f"drift_kind must be mixed, offset or 3way, not {drift_kind!r}")
    if n_patches < 1 or n_files < 1:
        raise ValueError("a series needs at least one patch and one file")
    path = repo.path if isinstance(repo, KernelRepo) else Path(repo)
    rng = random.Random(f"series:{seed}:{base}:{n_patches}:{n_files}:{drift_to}:{drift_kind}")
    base_oid = _git(path, "rev-parse", "--verify", f"{base}^{{commit}}").strip()
    base_time = int(_git(path, "show", "-s", "--format=%ct", base_oid).strip())
    all_files = _git(path, "ls-tree", "-r", "--name-only", base_oid).splitlines()
    cfiles = [f for f in all_files if f.endswith((".c", ".h")) and not f.startswith("tools/")]
    drift_files: list[str] = []
    if drift_to:
        changed = set(_git(path, "diff", "--name-only", "--no-renames", base_oid,
                           drift_to).splitlines())
        drift_files = sorted(f for f in cfiles if f in changed)
        rng.shuffle(drift_files)
        drift_files = drift_files[: max(1, n_files // 2)]
        cfiles = [f for f in cfiles if f not in changed]
    if n_files > len(cfiles) + len(drift_files):
        raise ValueError(f"{base} has only {len(cfiles) + len(drift_files)} C files to touch")
    # the other files: a few from one directory, then from another
    by_dir: dict[str, list[str]] = {}
    for f in cfiles:
        by_dir.setdefault(f.rsplit("/", 1)[0], []).append(f)
    dirs = sorted(by_dir)
    order: list[str] = []
    seen: set[str] = set()
    while len(order) < n_files - len(drift_files):
        d = rng.choice(dirs)
        for f in rng.sample(by_dir[d], min(len(by_dir[d]), rng.randint(1, 6))):
            if f not in seen and len(order) < n_files - len(drift_files):
                seen.add(f)
                order.append(f)
    for f in drift_files:
        order.insert(rng.randint(0, len(order)), f)
    contents = _read_blobs(path, base_oid, order)
    regions = _changed_regions(path, base_oid, drift_to, drift_files) if drift_to else {}
    # spans[f]: upstream-changed lines in the file's current coordinates
    spans = {f: [[a, b] for a, b, _ in regions.get(f, [])] for f in order}
    deltas = {f: [d for _, _, d in regions.get(f, [])] for f in order}

    # which files each patch touches: new ones in order, plus now and then an earlier one
    plan: list[list[str]] = [[] for _ in range(n_patches)]
    for i, f in enumerate(order):
        plan[i * n_patches // len(order)].append(f)
    touched: list[str] = []
    for files in plan:
        if touched and (not files or rng.random() < 0.35):
            again = rng.choice(touched)
            if again not in files:
                files.append(again)
        touched += [f for f in files if f not in touched]

    author, reviewer = _people(rng, 2)
    special_done: set[str] = set()
    tmp = Path(tempfile.mkdtemp(prefix="kernelrepo-series-"))
    try:
        scratch = tmp / "scratch.git"
        _git(tmp, "init", "-q", "--bare", str(scratch))
        objects = path / ".git" / "objects" if (path / ".git").is_dir() else path / "objects"
        (scratch / "objects" / "info" / "alternates").write_text(f"{objects.resolve()}\n")
        fi = _FastImport(scratch)
        parent = base_oid
        subjects: set[str] = set()
        for i, files in enumerate(plan):
            for f in files:
                lines, fspans = contents[f], spans[f]
                spots: list[tuple[int, str]] = []
                if f in regions and f not in special_done:
                    special_done.add(f)
                    spot = _special_spot(lines, fspans, deltas[f], rng, drift_kind)
                    if spot:
                        spots.append(spot)
                blocked = {j for a, b in fspans for j in range(a - 8, b + 9)}
                blocked |= {j for s, _ in spots for j in range(s - 8, s + 9)}
                free = [j for j in _statements(lines) if j not in blocked]
                k = max(0, rng.choice((1, 1, 2, 2, 3)) - len(spots))
                for s in _pick_spots(free, k if spots else max(1, k), rng):
                    spots.append((s, rng.choices(("insert", "modify", "delete"), (6, 3, 1))[0]))
                if not spots:  # nothing suitable: a comment after some line away from upstream
                    anywhere = range(max(1, len(lines) - 1))
                    spots.append((rng.choice([j for j in anywhere if j not in blocked] or anywhere), "insert"))
                for at, op in sorted(spots, reverse=True):
                    delta = _edit(lines, at, op, rng)
                    for span in fspans:
                        if span[0] > at:
                            span[0] += delta
                            span[1] += delta
            subject = _message(rng, files[0], "").split("\n", 1)[0]
            while subject in subjects:
                subject = f"{subject.rsplit(' handling', 1)[0]} {rng.choice(_NOUNS)} handling"
            subjects.add(subject)
            body = "".join(rng.choice(_MSG_PARAS) for _ in range(rng.randint(1, 2)))
            trailers = f"Signed-off-by: {author}"
            if rng.random() < 0.3:
                trailers = f"Reviewed-by: {reviewer}\n{trailers}"
            when = base_time + 86400 + i * 600
            parent = fi.commit("refs/heads/series", author, when, author, when,
                               f"{subject}\n\n{body}{trailers}\n", parent,
                               [(f, "\n".join(contents[f]).encode(), False) for f in files])
        fi.close()
        out = Path(out) if out else Path(tempfile.mkdtemp(prefix="kernelrepo-patches-"))
        out.mkdir(parents=True, exist_ok=True)
        args = ["format-patch", "-o", str(out.resolve()), f"--base={base_oid}", "--no-signature"]
        if cover_letter:
            args.append("--cover-letter")
        return [Path(n) for n in _git(scratch, *args, f"{base_oid}..refs/heads/series").split()]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# --------------------------------------------------------------------------
# CLI


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("dest", type=Path)
    ap.add_argument("--files", type=int, default=75_000)
    ap.add_argument("--commits", type=int, default=300)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--checkout", action="store_true", help="also fill the work tree")
    ap.add_argument("--series", type=Path, help="also write a patch series into this folder")
    ap.add_argument("--base", default="v5.14-rc5")
    ap.add_argument("--patches", type=int, default=9)
    ap.add_argument("--series-files", type=int, default=18)
    ap.add_argument("--drift-to", help="e.g. v5.14-rc7: place hunks next to upstream changes")
    ap.add_argument("--drift-kind", choices=("mixed", "offset", "3way"), default="mixed")
    args = ap.parse_args(argv)
    try:
        t0 = time.perf_counter()
        repo = generate(args.dest, args.files, args.commits, args.seed, checkout=args.checkout)
        dt = time.perf_counter() - t0
    except (ValueError, FileExistsError, RuntimeError) as exc:
        print(f"kernelrepo: {exc}", file=sys.stderr)
        return 2
    size = disk_usage(repo.git_dir)
    print(f"generated {repo.path} in {dt:.1f} s: {repo.n_files} files, {repo.n_sections} "
          f"MAINTAINERS sections ({repo.n_patterns} F:/X:/N: patterns), {repo.n_commits + 1} "
          f"commits, tags {', '.join(sorted(repo.tags))}, .git {size / 2**20:.1f} MiB on disk")
    if args.series:
        t0 = time.perf_counter()
        patches = make_series(repo, args.base, args.patches, args.series_files, args.seed,
                              args.series, drift_to=args.drift_to, drift_kind=args.drift_kind)
        print(f"wrote {len(patches)} patches to {args.series} in {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
