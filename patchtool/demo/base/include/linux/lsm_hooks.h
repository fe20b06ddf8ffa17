/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Linux Security Module interfaces
 *
 * What each hook is asked and what its answer means.  The hooks
 * themselves are declared in lsm_hook_defs.h; this file documents them
 * and holds the structures an LSM uses to register.
 *
 * patchtool demo tree: a small stand-in written for the example series.
 * It is not the kernel's code and it is not meant to build.
 */

#ifndef __LINUX_LSM_HOOKS_H
#define __LINUX_LSM_HOOKS_H

#include <linux/security.h>
#include <linux/init.h>
#include <linux/rculist.h>

/**
 * union security_list_options - the hooks an LSM may provide
 *
 * Security hooks for inode operations:
 *
 * @inode_init_security_anon:
 *	Label a new anonymous inode.
 *	@inode is the inode to label.
 *	@name names the kind of file (e.g. "[io_uring]").
 *	@context_inode, if not NULL, is an inode to take the label from.
 *	Return 0 when the inode may be created, a negative errno if not.
 *
 * Security hooks for task operations:
 *
 * @task_alloc:
 *	A new task is being created.
 *	@task is the new task.
 *	@clone_flags are the flags it is cloned with.
 *	Return 0 on success.
 * @task_kill:
 *	May a signal be sent to a task?
 *	@p is the target.
 *	@info is the signal information.
 *	@sig is the signal.
 *	@cred, if not NULL, are the credentials the signal is sent with.
 *	Return 0 when permission is granted.
 *
 * Security hooks for perf events:
 *
 * @perf_event_open:
 *	May a perf event of this type be opened?
 *	@attr describes the event.
 *	@type is the kind of access (PERF_SECURITY_*).
 *	Return 0 when permission is granted.
 */
union security_list_options {
	#define LSM_HOOK(RET, DEFAULT, NAME, ...) RET (*NAME)(__VA_ARGS__);
	#include "lsm_hook_defs.h"
	#undef LSM_HOOK
};

struct security_hook_heads {
	#define LSM_HOOK(RET, DEFAULT, NAME, ...) struct hlist_head NAME;
	#include "lsm_hook_defs.h"
	#undef LSM_HOOK
} __randomize_layout;

/* one hook of one LSM, linked into the matching security_hook_heads list */
struct security_hook_list {
	struct hlist_node		list;
	struct hlist_head		*head;
	union security_list_options	hook;
	char				*lsm;
} __randomize_layout;

/* how much of each security blob an LSM needs */
struct lsm_blob_sizes {
	int	lbs_cred;
	int	lbs_file;
	int	lbs_inode;
	int	lbs_superblock;
	int	lbs_ipc;
	int	lbs_msg_msg;
	int	lbs_task;
};

#define LSM_HOOK_INIT(HEAD, HOOK) \
	{ .head = &security_hook_heads.HEAD, .hook = { .HEAD = HOOK } }

extern struct security_hook_heads security_hook_heads;
extern char *lsm_names;

extern void security_add_hooks(struct security_hook_list *hooks, int count,
				char *lsm);

#endif /* ! __LINUX_LSM_HOOKS_H */
