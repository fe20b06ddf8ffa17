/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Linux Security plug
 *
 * The security_*() calls the rest of the kernel makes.  With
 * CONFIG_SECURITY they go through the hook lists in security/security.c;
 * without it each one is an inline that allows everything.
 *
 * patchtool demo tree: a small stand-in written for the example series.
 * It is not the kernel's code and it is not meant to build.
 */

#ifndef __LINUX_SECURITY_H
#define __LINUX_SECURITY_H

#include <linux/kernel_read_file.h>
#include <linux/key.h>
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/err.h>
#include <linux/string.h>
#include <linux/mm.h>

struct linux_binprm;
struct cred;
struct inode;
struct file;
struct super_block;
struct perf_event_attr;
struct perf_event;

/* the reasons the kernel may refuse things once it is locked down */
enum lockdown_reason {
	LOCKDOWN_NONE,
	LOCKDOWN_MODULE_SIGNATURE,
	LOCKDOWN_DEV_MEM,
	LOCKDOWN_KEXEC,
	LOCKDOWN_INTEGRITY_MAX,
	LOCKDOWN_KCORE,
	LOCKDOWN_BPF_READ_KERNEL,
	LOCKDOWN_CONFIDENTIALITY_MAX,
};

#ifdef CONFIG_SECURITY

int security_init(void);
int early_security_init(void);

int security_binder_set_context_mgr(struct task_struct *mgr);
int security_ptrace_access_check(struct task_struct *child, unsigned int mode);
int security_bprm_creds_for_exec(struct linux_binprm *bprm);
int security_inode_alloc(struct inode *inode);
void security_inode_free(struct inode *inode);
int security_inode_init_security_anon(struct inode *inode,
				      const struct qstr *name,
				      const struct inode *context_inode);
int security_file_permission(struct file *file, int mask);
int security_file_alloc(struct file *file);
void security_file_free(struct file *file);
int security_task_alloc(struct task_struct *task, unsigned long clone_flags);
void security_task_free(struct task_struct *task);
int security_task_kill(struct task_struct *p, struct kernel_siginfo *info,
			int sig, const struct cred *cred);
int security_locked_down(enum lockdown_reason what);

#else /* CONFIG_SECURITY */

static inline int security_init(void)
{
	return 0;
}

static inline int early_security_init(void)
{
	return 0;
}

static inline int security_binder_set_context_mgr(struct task_struct *mgr)
{
	return 0;
}

static inline int security_inode_alloc(struct inode *inode)
{
	return 0;
}

static inline void security_inode_free(struct inode *inode)
{ }

static inline int security_inode_init_security_anon(struct inode *inode,
						    const struct qstr *name,
						    const struct inode *context_inode)
{
	return 0;
}

static inline int security_file_permission(struct file *file, int mask)
{
	return 0;
}

static inline int security_task_kill(struct task_struct *p,
				     struct kernel_siginfo *info, int sig,
				     const struct cred *cred)
{
	return 0;
}

static inline int security_locked_down(enum lockdown_reason what)
{
	return 0;
}
#endif	/* CONFIG_SECURITY */

#ifdef CONFIG_PERF_EVENTS
#ifdef CONFIG_SECURITY
extern int security_perf_event_open(struct perf_event_attr *attr, int type);
extern int security_perf_event_alloc(struct perf_event *event);
extern void security_perf_event_free(struct perf_event *event);
#else
static inline int security_perf_event_open(struct perf_event_attr *attr,
					   int type)
{
	return 0;
}

static inline int security_perf_event_alloc(struct perf_event *event)
{
	return 0;
}

static inline void security_perf_event_free(struct perf_event *event)
{
}
#endif /* CONFIG_SECURITY */
#endif /* CONFIG_PERF_EVENTS */

#endif /* ! __LINUX_SECURITY_H */
