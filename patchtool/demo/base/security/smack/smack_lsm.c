// SPDX-License-Identifier: GPL-2.0-only
/*
 *  Simplified MAC Kernel (smack) security module
 *
 *  The Smack hooks: a subject may access an object when the rule for
 *  the pair of labels grants the access mode, with a handful of labels
 *  ("*", "^", "_", "@") that follow fixed rules of their own.
 *
 *  patchtool demo tree: a small stand-in written for the example
 *  series.  It is not the kernel's code and it is not meant to build.
 */

#include <linux/xattr.h>
#include <linux/pagemap.h>
#include <linux/mount.h>
#include <linux/stat.h>
#include <linux/kd.h>
#include <asm/ioctls.h>
#include <linux/slab.h>
#include <linux/mutex.h>
#include <linux/pipe_fs_i.h>
#include <linux/audit.h>
#include <linux/magic.h>
#include <linux/dcache.h>
#include <linux/personality.h>
#include <linux/msg.h>
#include <linux/shm.h>
#include <linux/binfmts.h>
#include <linux/parser.h>
#include <linux/fs_context.h>
#include <linux/fs_parser.h>
#include <linux/watch_queue.h>
#include "smack.h"

#define TRANS_TRUE	"TRUE"
#define TRANS_TRUE_SIZE	4

#define SMK_CONNECTING	0
#define SMK_RECEIVING	1
#define SMK_SENDING	2

/**
 * smk_ptrace_mode - the Smack access a ptrace mode amounts to
 * @mode: the PTRACE_MODE_* bits
 *
 * Attaching reads and writes the tracee, a read-only check reads it.
 */
static int smk_ptrace_mode(unsigned int mode)
{
	int may = 0;

	if (mode & PTRACE_MODE_READ)
		may = MAY_READ;
	if (mode & PTRACE_MODE_ATTACH)
		may = MAY_READWRITE;
	return may;
}

/**
 * smack_ptrace_access_check - may current trace @ctp?
 * @ctp: the child task
 * @mode: the kind of access
 *
 * Returns 0 when access is granted, an error code otherwise.
 */
static int smack_ptrace_access_check(struct task_struct *ctp, unsigned int mode)
{
	struct smack_known *skp;

	skp = smk_of_task_struct_obj(ctp);

	return smk_ptrace_rule_check(current, skp, mode, __func__);
}

/**
 * smack_task_kill - may a signal be sent?
 * @p: the target task
 * @info: the signal information (unused)
 * @sig: the signal
 * @cred: the credentials to use, or NULL for current's
 *
 * Sending a signal is a write from the sender to the target.
 */
static int smack_task_kill(struct task_struct *p, struct kernel_siginfo *info,
			   int sig, const struct cred *cred)
{
	struct smk_audit_info ad;
	struct smack_known *skp;
	struct smack_known *tkp = smk_of_task_struct_obj(p);
	int rc;

	/* signal 0 only asks whether the target exists, Smack allows it */
	if (!sig)
		return 0;

	smk_ad_init(&ad, __func__, LSM_AUDIT_DATA_TASK);
	smk_ad_setfield_u_tsk(&ad, p);
	if (cred == NULL) {
		rc = smk_curacc(tkp, MAY_DELIVER, &ad);
		rc = smk_bu_task(p, MAY_DELIVER, rc);
		return rc;
	}
	skp = smk_of_task(smack_cred(cred));
	rc = smk_access(skp, tkp, MAY_DELIVER, &ad);
	rc = smk_bu_note("signal", skp, tkp, MAY_DELIVER, rc);
	return rc;
}

struct lsm_blob_sizes smack_blob_sizes __lsm_ro_after_init = {
	.lbs_cred = sizeof(struct task_smack),
	.lbs_file = sizeof(struct smack_known *),
	.lbs_inode = sizeof(struct inode_smack),
	.lbs_ipc = sizeof(struct smack_known *),
	.lbs_msg_msg = sizeof(struct smack_known *),
	.lbs_superblock = sizeof(struct superblock_smack),
};

static struct security_hook_list smack_hooks[] __lsm_ro_after_init = {
	LSM_HOOK_INIT(ptrace_access_check, smack_ptrace_access_check),
	LSM_HOOK_INIT(task_kill, smack_task_kill),
};

/**
 * smack_init - set Smack up at boot and register its hooks
 *
 * Returns 0, or -ENOMEM when the rule cache cannot be created.
 */
static __init int smack_init(void)
{
	smack_rule_cache = KMEM_CACHE(smack_rule, 0);
	if (!smack_rule_cache)
		return -ENOMEM;

	pr_info("Smack:  Initializing.\n");

	security_add_hooks(smack_hooks, ARRAY_SIZE(smack_hooks), "smack");
	return 0;
}

DEFINE_LSM(smack) = {
	.name = "smack",
	.flags = LSM_FLAG_LEGACY_MAJOR | LSM_FLAG_EXCLUSIVE,
	.blobs = &smack_blob_sizes,
	.init = smack_init,
};
