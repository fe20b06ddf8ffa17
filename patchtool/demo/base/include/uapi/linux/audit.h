/* SPDX-License-Identifier: GPL-2.0+ WITH Linux-syscall-note */
/* audit.h -- Auditing support, the user space interface
 *
 * patchtool demo tree: a small stand-in written for the example series.
 * It is not the kernel's code and it is not meant to build.
 */

#ifndef _UAPI_LINUX_AUDIT_H_
#define _UAPI_LINUX_AUDIT_H_

#include <linux/types.h>
#include <linux/elf-em.h>

/* Requests from user space to the kernel (netlink message types) */
#define AUDIT_GET		1000	/* report the audit status */
#define AUDIT_SET		1001	/* change the audit status */
#define AUDIT_LIST_RULES	1013	/* list the filter rules */
#define AUDIT_ADD_RULE		1011	/* add a filter rule */
#define AUDIT_DEL_RULE		1012	/* remove a filter rule */
#define AUDIT_USER		1005	/* a message from user space */
#define AUDIT_SIGNAL_INFO	1010	/* who sent the last signal to auditd */

/* Records the kernel writes: 1300 - 1399 belong to syscall auditing */
#define AUDIT_SYSCALL		1300	/* the syscall itself */
#define AUDIT_PATH		1302	/* a pathname it used */
#define AUDIT_IPC		1303	/* an IPC object it used */
#define AUDIT_SOCKETCALL	1304	/* socketcall() arguments */
#define AUDIT_CONFIG_CHANGE	1305	/* the audit setup changed */
#define AUDIT_SOCKADDR		1306	/* a socket address */
#define AUDIT_CWD		1307	/* its working directory */
#define AUDIT_EXECVE		1309	/* execve() arguments */
#define AUDIT_FD_PAIR		1317	/* pipe() and socketpair() results */
#define AUDIT_OBJ_PID		1318	/* the target of a signal */
#define AUDIT_BPRM_FCAPS	1321	/* file capabilities at exec */
#define AUDIT_MMAP		1323	/* mmap() arguments */
#define AUDIT_PROCTITLE		1327	/* the process title */
#define AUDIT_KERN_MODULE	1330	/* a module name */
#define AUDIT_BPF		1334	/* a BPF program was loaded */
#define AUDIT_EVENT_LISTENER	1335	/* a socket joined the multicast group */

#define AUDIT_ANOM_ABEND	1701	/* a process ended abnormally */
#define AUDIT_EOE		1320	/* the last record of an event */

/* Where a rule lives: the filter lists */
#define AUDIT_FILTER_USER	0x00	/* messages from user space */
#define AUDIT_FILTER_TASK	0x01	/* at task creation */
#define AUDIT_FILTER_ENTRY	0x02	/* at syscall entry (no longer used) */
#define AUDIT_FILTER_WATCH	0x03	/* file system watches */
#define AUDIT_FILTER_EXIT	0x04	/* at syscall exit */
#define AUDIT_FILTER_EXCLUDE	0x05	/* record types to drop */
#define AUDIT_FILTER_FS		0x06	/* file system types */

#define AUDIT_NR_FILTERS	7

#define AUDIT_FILTER_PREPEND	0x10	/* put the rule at the head of the list */

/* What a matching rule does */
#define AUDIT_NEVER		0	/* no context, no records */
#define AUDIT_POSSIBLE		1	/* build a context (deprecated) */
#define AUDIT_ALWAYS		2	/* build a context and log it */

/* Rule fields */
#define AUDIT_PID		0
#define AUDIT_UID		1
#define AUDIT_ARCH		11
#define AUDIT_PERM		106
#define AUDIT_FILETYPE		108
#define AUDIT_FIELD_COMPARE	111
#define AUDIT_EXE		112

#define AUDIT_BITMASK_SIZE	64

/* a rule as user space sends it with AUDIT_ADD_RULE / AUDIT_DEL_RULE */
struct audit_rule_data {
	__u32		flags;	/* the list, plus AUDIT_FILTER_PREPEND */
	__u32		action;	/* what a match does */
	__u32		field_count;
	__u32		mask[AUDIT_BITMASK_SIZE]; /* one bit per syscall */
	__u32		fields[AUDIT_MAX_FIELDS];
	__u32		values[AUDIT_MAX_FIELDS];
	__u32		fieldflags[AUDIT_MAX_FIELDS];
	__u32		buflen;	/* bytes used in buf */
	char		buf[];	/* the string values, back to back */
};

#endif /* _UAPI_LINUX_AUDIT_H_ */
