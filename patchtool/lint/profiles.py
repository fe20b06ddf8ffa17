"""The shipped lint profiles: ``kernel`` (the default) and ``netdev`` (what netdev's NIPA bot runs).

A profile is a ``[lint]`` table as ``.patchtool.toml`` would write it
(``config.py`` reads both the same way).  The netdev figures are NIPA's own
(github:linux-netdev/nipa): the 15-patch limit of
``tests/series/series_format``, the trees ``net`` (fixes) and ``net-next``,
the file lists of ``netdev/tree_match.py`` that decide whether a series
must name its tree, the deprecated APIs of ``tests/patch/deprecated_api``,
and ``tests/patch/checkpatch``'s options.  NIPA's levels map to ours as
its exit codes do: 1 (fail) is an error, 250 (warning) a warning.

``kernel`` keeps those checks but holds the netdev-only policies to
warnings; it names no trees, so ``subject_prefix`` and ``fixes_present``
skip, saying so.  The 15 is Documentation/process/submitting-patches.rst's
"Do not send more than 15 patches at once to the vger mailing lists".
"""

from __future__ import annotations

from typing import Any

# tests/patch/deprecated_api/deprecated_api.sh: grep -i '^+.*ITEM' (\W = a non-word character before).
NIPA_DEPRECATED: tuple[dict[str, Any], ...] = (
    {"name": "module_param", "pattern": r"module_param", "level": "error"},
    {"name": "dev_hold", "pattern": r"\Wdev_hold\(", "level": "warning"},
    {"name": "dev_put", "pattern": r"\Wdev_put\(", "level": "warning"},
    {"name": "put_net", "pattern": r"\Wput_net\(", "level": "warning"},
    {"name": "get_net", "pattern": r"\Wget_net\(", "level": "warning"},
    {"name": "init_dummy_netdev", "pattern": r"\Winit_dummy_netdev\(", "level": "warning"},
)
NETDEV_DEPRECATED: tuple[dict[str, Any], ...] = (
    *NIPA_DEPRECATED,
    {"name": "__free", "pattern": r"\W__free\(", "level": "warning", "paths": ["drivers/net"]},
)

# netdev/tree_match.py: a series must say [PATCH net] or [PATCH net-next] when every patch
# touches a file of "required" and nothing outside "required" + "allowed" (+ "excluded" is outside).
NETDEV_REQUIRED = (
    "Documentation/devicetree/bindings/net/", "Documentation/netlink/", "Documentation/networking/",
    "include/uapi/linux/nfc.h", "include/linux/ethtool.h", "include/linux/firmware/broadcom/tee_bnxt_fw.h",
    "include/linux/genetlink.h", "include/linux/netdevice.h", "include/linux/net", "include/linux/phy.h",
    "include/linux/rtnetlink.h", "include/linux/skbuff.h", "include/net/", "include/phy/", "lib/", "net/",
    "drivers/atm/", "drivers/bluetooth/", "drivers/dibs/", "drivers/dpll/",
    "drivers/firmware/broadcom/tee_bnxt_fw.c", "drivers/isdn/", "drivers/net/", "drivers/dsa/", "drivers/nfc/",
    "drivers/ptp/", "drivers/net/ethernet/", "drivers/usb/atm/", "kernel/bpf/", "tools/net/",
    "tools/testing/selftests/drivers/net/", "tools/testing/selftests/tc-testing/", "tools/testing/selftests/net/",
    "kernel/trace/bpf_trace.c", "drivers/leds/trigger/ledtrig-netdev.c",
)
NETDEV_ALLOWED = (
    "CREDITS", "MAINTAINERS", "Documentation/", "include/", "rust/", "tools/", "drivers/phy/", "drivers/vhost/",
)
NETDEV_EXCLUDED = ("net/ceph", "net/sunrpc")

# tests/patch/checkpatch/checkpatch.sh (its --codespell needs codespell's dictionary installed: left out).
NETDEV_CHECKPATCH_IGNORE = (
    "COMMIT_LOG_LONG_LINE", "MACRO_ARG_REUSE", "ALLOC_SIZEOF_STRUCT", "NO_AUTHOR_SIGN_OFF", "GIT_COMMIT_ID",
    "CAMELCASE", "FILE_PATH_CHANGES", "BAD_REPORTED_BY_LINK",
)

PROFILES: dict[str, dict[str, Any]] = {
    "kernel": {
        "patch-limit": 15,
        "trees": {},
        "deprecated-api": list(NIPA_DEPRECATED),
        "checkpatch-args": [],
        "checkpatch-checks": "info",
        "severity": {
            "patch_count": "warning",
            "maintainers": "warning",
            "header_inline": "warning",
            "source_inline": "warning",
            "deprecated_api": "warning",
            "kdoc": "warning",
        },
    },
    "netdev": {
        "patch-limit": 15,
        "trees": {"net": {"fixes": True}, "net-next": {"fixes": False}},
        "designation": {"required": list(NETDEV_REQUIRED), "allowed": list(NETDEV_ALLOWED),
                        "excluded": list(NETDEV_EXCLUDED)},
        "deprecated-api": list(NETDEV_DEPRECATED),
        "checkpatch-args": ["--strict", "--max-line-length=80", "--ignore=" + ",".join(NETDEV_CHECKPATCH_IGNORE)],
        # NIPA's checkpatch test warns on any CHECK line (its "total: 0 errors, N warnings, M checks").
        "checkpatch-checks": "warning",
        "severity": {},
    },
}
