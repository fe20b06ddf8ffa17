// SPDX-License-Identifier: GPL-2.0-or-later
/* auditfilter.c -- filter rules: loading, listing and removing them
 *
 * User space sends rules over netlink; each one is checked, turned into
 * an audit_entry and put on one of the filter lists, where auditsc.c
 * walks it under RCU.
 *
 * patchtool demo tree: a small stand-in written for the example series.
 * It is not the kernel's code and it is not meant to build.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/audit.h>
#include <linux/kthread.h>
#include <linux/mutex.h>
#include <linux/fs.h>
#include <linux/namei.h>
#include <linux/netlink.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/security.h>
#include "audit.h"

/* the lists auditsc.c walks, one per AUDIT_FILTER_* value */
struct list_head audit_filter_list[AUDIT_NR_FILTERS] = {
	LIST_HEAD_INIT(audit_filter_list[0]),
	LIST_HEAD_INIT(audit_filter_list[1]),
	LIST_HEAD_INIT(audit_filter_list[2]),
	LIST_HEAD_INIT(audit_filter_list[3]),
	LIST_HEAD_INIT(audit_filter_list[4]),
	LIST_HEAD_INIT(audit_filter_list[5]),
	LIST_HEAD_INIT(audit_filter_list[6]),
};

/* the same rules in the order user space added them, for AUDIT_LIST_RULES */
static struct list_head audit_rules_list[AUDIT_NR_FILTERS] = {
	LIST_HEAD_INIT(audit_rules_list[0]),
	LIST_HEAD_INIT(audit_rules_list[1]),
	LIST_HEAD_INIT(audit_rules_list[2]),
	LIST_HEAD_INIT(audit_rules_list[3]),
	LIST_HEAD_INIT(audit_rules_list[4]),
	LIST_HEAD_INIT(audit_rules_list[5]),
	LIST_HEAD_INIT(audit_rules_list[6]),
};

DEFINE_MUTEX(audit_filter_mutex);

static inline struct audit_entry *audit_init_entry(u32 field_count)
{
	struct audit_entry *entry;
	struct audit_field *fields;

	entry = kzalloc(sizeof(*entry), GFP_KERNEL);
	if (unlikely(!entry))
		return NULL;

	fields = kcalloc(field_count, sizeof(*fields), GFP_KERNEL);
	if (unlikely(!fields)) {
		kfree(entry);
		return NULL;
	}
	entry->rule.fields = fields;
	return entry;
}

/* the parts every rule has, whatever its fields */
static inline struct audit_entry *audit_to_entry_common(struct audit_rule_data *rule)
{
	unsigned int listnr;
	struct audit_entry *entry;
	int i, err;

	err = -EINVAL;
	listnr = rule->flags & ~AUDIT_FILTER_PREPEND;
	switch (listnr) {
	default:
		goto exit_err;
#ifdef CONFIG_AUDITSYSCALL
	case AUDIT_FILTER_ENTRY:
		pr_err("AUDIT_FILTER_ENTRY is deprecated\n");
		goto exit_err;
	case AUDIT_FILTER_EXIT:
	case AUDIT_FILTER_TASK:
#endif
	case AUDIT_FILTER_USER:
	case AUDIT_FILTER_EXCLUDE:
	case AUDIT_FILTER_FS:
		;
	}
	if (rule->action != AUDIT_NEVER && rule->action != AUDIT_ALWAYS)
		goto exit_err;
	if (rule->field_count > AUDIT_MAX_FIELDS)
		goto exit_err;

	err = -ENOMEM;
	entry = audit_init_entry(rule->field_count);
	if (!entry)
		goto exit_err;

	entry->rule.flags = rule->flags & AUDIT_FILTER_PREPEND;
	entry->rule.listnr = listnr;
	entry->rule.action = rule->action;
	entry->rule.field_count = rule->field_count;

	/* only the exit filter looks at the syscall mask */
	if (listnr == AUDIT_FILTER_EXIT)
		for (i = 0; i < AUDIT_BITMASK_SIZE; i++)
			entry->rule.mask[i] = rule->mask[i];

	return entry;

exit_err:
	return ERR_PTR(err);
}

/* add a rule to its filter list; called with audit_filter_mutex held */
static inline int audit_add_rule(struct audit_entry *entry)
{
	struct list_head *list = &audit_filter_list[entry->rule.listnr];

	if (entry->rule.flags & AUDIT_FILTER_PREPEND) {
		list_add(&entry->rule.list,
			 &audit_rules_list[entry->rule.listnr]);
		list_add_rcu(&entry->list, list);
		entry->rule.flags &= ~AUDIT_FILTER_PREPEND;
	} else {
		list_add_tail(&entry->rule.list,
			      &audit_rules_list[entry->rule.listnr]);
		list_add_tail_rcu(&entry->list, list);
	}

	if (entry->rule.listnr == AUDIT_FILTER_EXIT) {
		audit_n_rules++;
		if (audit_match_signal(entry))
			audit_signals++;
	}
	return 0;
}

/* remove a rule from its filter list; called with audit_filter_mutex held */
int audit_del_rule(struct audit_entry *entry)
{
	struct audit_entry  *e;
	struct list_head *list = &audit_filter_list[entry->rule.listnr];

	e = audit_find_rule(entry, &list);
	if (!e)
		return -ENOENT;

	if (e->rule.listnr == AUDIT_FILTER_EXIT) {
		audit_n_rules--;
		if (audit_match_signal(entry))
			audit_signals--;
	}

	list_del_rcu(&e->list);
	list_del(&e->rule.list);
	call_rcu(&e->rcu, audit_free_rule_rcu);
	return 0;
}
