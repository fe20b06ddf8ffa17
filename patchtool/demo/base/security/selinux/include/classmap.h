/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The object classes SELinux knows and the permissions of each.  The
 * order of this table is the order of the class and permission numbers
 * the policy is compiled against.
 *
 * patchtool demo tree: a small stand-in written for the example series.
 * It is not the kernel's code and it is not meant to build.
 */
#include <linux/capability.h>
#include <linux/socket.h>

#define COMMON_FILE_SOCK_PERMS "ioctl", "read", "write", "create", \
    "getattr", "setattr", "lock", "relabelfrom", "relabelto", "append", "map"

#define COMMON_FILE_PERMS COMMON_FILE_SOCK_PERMS, "unlink", "link", \
    "rename", "execute", "quotaon", "mounton", "audit_access", \
    "open", "execmod", "watch", "watch_mount", "watch_sb", \
    "watch_with_perm", "watch_reads"

#define COMMON_CAP_PERMS  "chown", "dac_override", "dac_read_search", \
    "fowner", "fsetid", "kill", "setgid", "setuid", "setpcap", \
    "linux_immutable", "net_bind_service", "net_broadcast", \
    "net_admin", "net_raw", "ipc_lock", "ipc_owner", "sys_module", \
    "sys_rawio", "sys_chroot", "sys_ptrace", "sys_pacct", "sys_admin", \
    "sys_boot", "sys_nice", "sys_resource", "sys_time", \
    "sys_tty_config", "mknod", "lease", "audit_write", \
    "audit_control", "setfcap"

/* new classes go at the end: existing policies number them by position */
struct security_class_mapping secclass_map[] = {
	{ "security",
	  { "compute_av", "compute_create", "compute_member",
	    "check_context", "load_policy", "compute_relabel",
	    "compute_user", "setenforce", "setbool", "setsecparam",
	    "setcheckreqprot", "read_policy", "validate_trans", NULL } },
	{ "process",
	  { "fork", "transition", "sigchld", "sigkill",
	    "sigstop", "signull", "signal", "ptrace", "getsched", "setsched",
	    "getsession", "getpgid", "setpgid", "getcap", "setcap", "share",
	    "getattr", "setexec", "setfscreate", "noatsecure", "siginh",
	    "setrlimit", "rlimitinh", "dyntransition", "setcurrent",
	    "execmem", "execstack", "execheap", "setkeycreate",
	    "setsockcreate", "getrlimit", NULL } },
	{ "file",
	  { COMMON_FILE_PERMS,
	    "execute_no_trans", "entrypoint", NULL } },
	{ "anon_inode",
	  { COMMON_FILE_PERMS, NULL } },
	{ "capability",
	  { COMMON_CAP_PERMS, NULL } },
	{ "bpf",
	  { "map_create", "map_read", "map_write", "prog_load", "prog_run",
	    NULL } },
	{ "perf_event",
	  { "open", "cpu", "kernel", "tracepoint", "read", "write", NULL } },
	{ "lockdown",
	  { "integrity", "confidentiality", NULL } },
	{ NULL }
};
