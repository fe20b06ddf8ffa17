/* SPDX-License-Identifier: GPL-2.0-or-later */
/* audit.h -- Auditing support, private to kernel/
 *
 * patchtool demo tree: a small stand-in written for the example series.
 * It is not the kernel's code and it is not meant to build.
 */

#include <linux/fs.h>
#include <linux/audit.h>
#include <linux/skbuff.h>
#include <uapi/linux/mqueue.h>
#include <linux/tty.h>

/* names kept inside the context itself before we fall back to kmalloc() */
#define AUDIT_NAMES	5

/*
 * How much auditing a task gets.  The task filter picks the starting
 * state when the task is created; the exit filters may raise it.
 */
enum audit_state {
	AUDIT_STATE_DISABLED,	/* no context, no syscall records */
	AUDIT_STATE_BUILD,	/* keep a context, log only on request */
	AUDIT_STATE_RECORD	/* keep a context, log every syscall */
};

struct audit_cap_data {
	kernel_cap_t		permitted;
	kernel_cap_t		inheritable;
	union {
		unsigned int	fE;
		kernel_cap_t	effective;
	};
	kernel_cap_t		ambient;
	kuid_t			rootid;
};

/* The per-task audit context. */
struct audit_context {
	int		    dummy;	/* no rules loaded: skip the work */
	int		    in_syscall;	/* set while the task runs a syscall */
	enum audit_state    state, current_state;
	unsigned int	    serial;     /* event serial, 0 until needed */
	int		    major;      /* the syscall's number */
	struct timespec64   ctime;      /* when the event started */
	unsigned long	    argv[4];    /* the first syscall arguments */
	long		    return_code;/* what the caller got back */
	u64		    prio;
	int		    return_valid; /* AUDITSC_*: how it ended */
	struct audit_names  preallocated_names[AUDIT_NAMES];
	int		    name_count; /* entries on names_list */
	struct list_head    names_list;	/* the audit_names collected */
	char		    *filterkey;	/* key of the rule that matched */
	struct path	    pwd;
	struct audit_aux_data *aux;
	struct audit_aux_data *aux_pids;
	struct sockaddr_storage *sockaddr;
	size_t sockaddr_len;
	pid_t		    ppid;
	int		    arch;
	pid_t		    target_pid;
	u32		    target_sid;
	struct list_head killed_trees;
	int fds[2];
	int type;
	struct audit_proctitle proctitle;
};

extern bool audit_ever_enabled;

extern int auditd_test_task(struct task_struct *task);

extern struct list_head audit_filter_list[];
extern struct list_head audit_inode_hash[];

extern int audit_match_class(int class, unsigned syscall);
extern int audit_comparator(const u32 left, const u32 op, const u32 right);
extern int audit_in_mask(const struct audit_krule *rule, unsigned long val);
extern enum audit_state audit_filter_task(struct task_struct *tsk, char **key);
extern void audit_filter_inodes(struct task_struct *tsk,
				struct audit_context *ctx);
extern struct list_head *audit_killed_trees(void);
