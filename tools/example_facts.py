"""Facts of the example series (from ../shared/facts/io_uring-lsm.md), in one place.

The generator checks what it writes against them and the tests check the
shipped series against them, both with git as the judge: each patch's own
numstat, the net numstat base..tip (not the sum: patch 4 rewrites lines of
kernel/auditsc.c that patches 1-3 added), and the subjects in order.
"""

from __future__ import annotations

PER_PATCH: list[dict[str, tuple[int, int]]] = [
    {"kernel/audit.h": (4, 1), "kernel/auditsc.c": (163, 93)},
    {
        "fs/io-wq.c": (4, 0),
        "fs/io_uring.c": (49, 6),
        "include/linux/audit.h": (26, 0),
        "include/uapi/linux/audit.h": (1, 0),
        "kernel/audit.h": (2, 0),
        "kernel/auditsc.c": (174, 0),
    },
    {"kernel/auditsc.c": (4, 0)},
    {
        "include/uapi/linux/audit.h": (2, 1),
        "kernel/audit_tree.c": (2, 1),
        "kernel/audit_watch.c": (2, 1),
        "kernel/auditfilter.c": (12, 3),
        "kernel/auditsc.c": (50, 15),
    },
    {"fs/anon_inodes.c": (29, 0), "include/linux/anon_inodes.h": (4, 0)},
    {"fs/io_uring.c": (2, 2)},
    {
        "fs/io_uring.c": (10, 0),
        "include/linux/lsm_hook_defs.h": (5, 0),
        "include/linux/lsm_hooks.h": (13, 0),
        "include/linux/security.h": (16, 0),
        "security/security.c": (12, 0),
    },
    {"security/selinux/hooks.c": (34, 0), "security/selinux/include/classmap.h": (2, 0)},
    {"security/smack/smack_lsm.c": (64, 0)},
]

NET: dict[str, tuple[int, int]] = {
    "fs/anon_inodes.c": (29, 0),
    "fs/io-wq.c": (4, 0),
    "fs/io_uring.c": (61, 8),
    "include/linux/anon_inodes.h": (4, 0),
    "include/linux/audit.h": (26, 0),
    "include/linux/lsm_hook_defs.h": (5, 0),
    "include/linux/lsm_hooks.h": (13, 0),
    "include/linux/security.h": (16, 0),
    "include/uapi/linux/audit.h": (3, 1),
    "kernel/audit.h": (6, 1),
    "kernel/audit_tree.c": (2, 1),
    "kernel/audit_watch.c": (2, 1),
    "kernel/auditfilter.c": (12, 3),
    "kernel/auditsc.c": (383, 100),
    "security/security.c": (12, 0),
    "security/selinux/hooks.c": (34, 0),
    "security/selinux/include/classmap.h": (2, 0),
    "security/smack/smack_lsm.c": (64, 0),
}

SUBJECTS = [
    "audit: prepare audit_context for use in calling contexts beyond syscalls",
    "audit,io_uring,io-wq: add some basic audit support to io_uring",
    "audit: dev/test patch to force io_uring auditing",
    "audit: add filtering for io_uring records",
    "fs: add anon_inode_getfile_secure() similar to anon_inode_getfd_secure()",
    "io_uring: convert io_uring to the secure anon inode interface",
    "lsm,io_uring: add LSM hooks to io_uring",
    "selinux: add support for the io_uring access controls",
    "Smack: Brutalist io_uring support with debug",
]
