// SPDX-License-Identifier: GPL-2.0
/* audit_tree.c -- rules that watch a whole directory tree
 *
 * A tree rule ("-w /some/dir") matches any inode below the directory it
 * names.  The rule keeps a list of chunks, one per mount the tree spans,
 * and each chunk is tagged onto the inodes through fsnotify marks.
 *
 * patchtool demo tree: a small stand-in written for the example series.
 * It is not the kernel's code and it is not meant to build.
 */

#include "audit.h"
#include <linux/fsnotify_backend.h>
#include <linux/namei.h>
#include <linux/mount.h>
#include <linux/kthread.h>
#include <linux/refcount.h>
#include <linux/slab.h>

struct audit_tree {
	refcount_t count;
	int goner;
	struct audit_chunk *root;
	struct list_head chunks;
	struct list_head rules;
	struct list_head list;
	struct list_head same_root;
	struct rcu_head head;
	char pathname[];
};

static LIST_HEAD(tree_list);
static LIST_HEAD(prune_list);
static struct task_struct *prune_thread;

static struct audit_tree *alloc_tree(const char *s)
{
	struct audit_tree *tree;
	size_t len = strlen(s) + 1;

	tree = kmalloc(sizeof(*tree) + len, GFP_KERNEL);
	if (!tree)
		return NULL;

	refcount_set(&tree->count, 1);
	tree->goner = 0;
	INIT_LIST_HEAD(&tree->chunks);
	INIT_LIST_HEAD(&tree->rules);
	INIT_LIST_HEAD(&tree->list);
	INIT_LIST_HEAD(&tree->same_root);
	tree->root = NULL;
	memcpy(tree->pathname, s, len);
	return tree;
}

static inline void get_tree(struct audit_tree *tree)
{
	refcount_inc(&tree->count);
}

static inline void put_tree(struct audit_tree *tree)
{
	if (refcount_dec_and_test(&tree->count))
		kfree_rcu(tree, head);
}

const char *audit_tree_path(struct audit_tree *tree)
{
	return tree->pathname;
}

/* called with audit_filter_mutex held; the rule is not on any list yet */
int audit_make_tree(struct audit_krule *rule, char *pathname, u32 op)
{
	/* trees only make sense as absolute paths on the exit filter */
	if (pathname[0] != '/')
		return -EINVAL;
	if (rule->listnr != AUDIT_FILTER_EXIT)
		return -EINVAL;
	if (op != Audit_equal)
		return -EINVAL;
	if (rule->inode_f || rule->watch || rule->tree)
		return -EINVAL;

	rule->tree = alloc_tree(pathname);
	if (!rule->tree)
		return -ENOMEM;
	return 0;
}

void audit_put_tree(struct audit_tree *tree)
{
	put_tree(tree);
}
