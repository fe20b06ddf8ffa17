// SPDX-License-Identifier: GPL-2.0-only
/*
 *  Security-Enhanced Linux (SELinux) security module
 *
 *  The hook functions SELinux registers with the LSM framework: each
 *  one finds the security ids of the subject and the object and asks
 *  the access vector cache whether the policy allows the operation.
 *
 *  patchtool demo tree: a small stand-in written for the example
 *  series.  It is not the kernel's code and it is not meant to build.
 */

#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/errno.h>
#include <linux/sched/signal.h>
#include <linux/lsm_hooks.h>
#include <linux/xattr.h>
#include <linux/security.h>
#include <linux/file.h>
#include <linux/fdtable.h>
#include <linux/namei.h>
#include <linux/mount.h>
#include <linux/fs_context.h>
#include <linux/anon_inodes.h>
#include <linux/perf_event.h>

#include "avc.h"
#include "objsec.h"
#include "netif.h"
#include "netnode.h"
#include "xfrm.h"
#include "audit.h"
#include "avc_ss.h"

struct selinux_state selinux_state;

/* the cred's task security id, which is what most checks are made with */
static inline u32 cred_sid(const struct cred *cred)
{
	const struct task_security_struct *tsec;

	tsec = selinux_cred(cred);
	return tsec->sid;
}

/* one task checking a permission against another task */
static int cred_has_perm(const struct cred *actor,
			 const struct cred *target,
			 u32 perms)
{
	u32 asid = cred_sid(actor), tsid = cred_sid(target);

	return avc_has_perm(&selinux_state,
			    asid, tsid, SECCLASS_PROCESS, perms, NULL);
}

static int selinux_binder_set_context_mgr(struct task_struct *mgr)
{
	return avc_has_perm(&selinux_state,
			    current_sid(), task_sid_binder(mgr), SECCLASS_BINDER,
			    BINDER__SET_CONTEXT_MGR, NULL);
}

static int selinux_ptrace_access_check(struct task_struct *child,
				       unsigned int mode)
{
	u32 sid = current_sid();
	u32 csid = task_sid_obj(child);

	if (mode & PTRACE_MODE_READ)
		return avc_has_perm(&selinux_state,
				    sid, csid, SECCLASS_FILE, FILE__READ, NULL);

	return avc_has_perm(&selinux_state,
			    sid, csid, SECCLASS_PROCESS, PROCESS__PTRACE, NULL);
}

static int selinux_task_kill(struct task_struct *p, struct kernel_siginfo *info,
			     int sig, const struct cred *cred)
{
	u32 secid;
	u32 perm;

	/* signal 0 only asks whether the target exists */
	perm = sig ? signal_to_av(sig) : PROCESS__SIGNULL;
	secid = cred ? cred_sid(cred) : current_sid();
	return avc_has_perm(&selinux_state,
			    secid, task_sid_obj(p), SECCLASS_PROCESS, perm, NULL);
}

#ifdef CONFIG_PERF_EVENTS
static int selinux_perf_event_open(struct perf_event_attr *attr, int type)
{
	u32 sid = current_sid();
	u32 perm;

	switch (type) {
	case PERF_SECURITY_OPEN:
		perm = PERF_EVENT__OPEN;
		break;
	case PERF_SECURITY_CPU:
		perm = PERF_EVENT__CPU;
		break;
	case PERF_SECURITY_KERNEL:
		perm = PERF_EVENT__KERNEL;
		break;
	case PERF_SECURITY_TRACEPOINT:
		perm = PERF_EVENT__TRACEPOINT;
		break;
	default:
		return -EINVAL;
	}

	return avc_has_perm(&selinux_state, sid, sid, SECCLASS_PERF_EVENT,
			    perm, NULL);
}
#endif

static int selinux_lockdown(enum lockdown_reason what)
{
	struct common_audit_data ad = {
		.type = LSM_AUDIT_DATA_LOCKDOWN,
		.u.reason = what,
	};
	u32 sid = current_sid();
	/* the reasons are ordered: integrity ones first, then the rest */
	u32 perm = (what <= LOCKDOWN_INTEGRITY_MAX ?
		    LOCKDOWN__INTEGRITY : LOCKDOWN__CONFIDENTIALITY);

	return avc_has_perm(&selinux_state, sid, sid, SECCLASS_LOCKDOWN,
			    perm, &ad);
}

/*
 * The order matters only where an LSM relies on it; SELinux keeps the
 * hooks in the order of lsm_hook_defs.h to make them easy to find.
 */
static struct security_hook_list selinux_hooks[] __lsm_ro_after_init = {
	LSM_HOOK_INIT(binder_set_context_mgr, selinux_binder_set_context_mgr),
	LSM_HOOK_INIT(ptrace_access_check, selinux_ptrace_access_check),
	LSM_HOOK_INIT(task_kill, selinux_task_kill),

#ifdef CONFIG_PERF_EVENTS
	LSM_HOOK_INIT(perf_event_open, selinux_perf_event_open),
#endif

	LSM_HOOK_INIT(locked_down, selinux_lockdown),
};

static __init int selinux_init(void)
{
	pr_info("SELinux:  Initializing.\n");

	memset(&selinux_state, 0, sizeof(selinux_state));
	enforcing_set(&selinux_state, selinux_enforcing_boot);
	selinux_avc_init(&selinux_state.avc);

	security_add_hooks(selinux_hooks, ARRAY_SIZE(selinux_hooks), "selinux");

	pr_debug("SELinux:  %s mode at boot\n",
		 selinux_enforcing_boot ? "enforcing" : "permissive");

	return 0;
}

DEFINE_LSM(selinux) = {
	.name = "selinux",
	.flags = LSM_FLAG_LEGACY_MAJOR | LSM_FLAG_EXCLUSIVE,
	.enabled = &selinux_enabled_boot,
	.blobs = &selinux_blob_sizes,
	.init = selinux_init,
};
