// SPDX-License-Identifier: GPL-2.0-or-later
/* audit_watch.c -- rules that watch a single file
 *
 * A watch names one path.  Its parent directory carries an fsnotify
 * mark, so the rule can follow the file as it is created, renamed and
 * removed, and the rule's inode number is updated as that happens.
 *
 * patchtool demo tree: a small stand-in written for the example series.
 * It is not the kernel's code and it is not meant to build.
 */

#include <linux/file.h>
#include <linux/kernel.h>
#include <linux/audit.h>
#include <linux/kthread.h>
#include <linux/mutex.h>
#include <linux/fs.h>
#include <linux/fsnotify_backend.h>
#include <linux/namei.h>
#include <linux/refcount.h>
#include <linux/slab.h>
#include "audit.h"

/* one watched path, shared by every rule that names it */
struct audit_watch {
	refcount_t		count;
	dev_t			dev;	/* device of the file, once seen */
	char			*path;	/* the path as the rule gave it */
	unsigned long		ino;	/* inode of the file, once seen */
	struct audit_parent	*parent; /* the directory holding it */
	struct list_head	wlist;	/* on parent->watches */
	struct list_head	rules;	/* the rules using this watch */
};

/* a watched directory: the fsnotify mark sits here, not on the file */
struct audit_parent {
	struct list_head	watches; /* the watches below it */
	struct fsnotify_mark	mark;
};

static struct audit_watch *audit_init_watch(char *path)
{
	struct audit_watch *watch;

	watch = kzalloc(sizeof(*watch), GFP_KERNEL);
	if (unlikely(!watch))
		return ERR_PTR(-ENOMEM);

	INIT_LIST_HEAD(&watch->rules);
	refcount_set(&watch->count, 1);
	watch->path = path;
	watch->dev = AUDIT_DEV_UNSET;
	watch->ino = AUDIT_INO_UNSET;
	return watch;
}

/* translate a rule's path into a watch; called with audit_filter_mutex */
int audit_to_watch(struct audit_krule *krule, char *path, int len, u32 op)
{
	struct audit_watch *watch;

	if (!audit_watch_group)
		return -EOPNOTSUPP;

	/* a watch is an absolute path to a file, used on the exit filter */
	if (path[0] != '/' || path[len - 1] == '/')
		return -EINVAL;
	if (krule->listnr != AUDIT_FILTER_EXIT)
		return -EINVAL;
	if (op != Audit_equal)
		return -EINVAL;
	if (krule->inode_f || krule->watch || krule->tree)
		return -EINVAL;

	watch = audit_init_watch(path);
	if (IS_ERR(watch))
		return PTR_ERR(watch);

	krule->watch = watch;
	return 0;
}

void audit_get_watch(struct audit_watch *watch)
{
	refcount_inc(&watch->count);
}

void audit_put_watch(struct audit_watch *watch)
{
	if (refcount_dec_and_test(&watch->count)) {
		WARN_ON(watch->parent);
		WARN_ON(!list_empty(&watch->rules));
		kfree(watch->path);
		kfree(watch);
	}
}
