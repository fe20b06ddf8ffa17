// SPDX-License-Identifier: GPL-2.0
/*
 * Basic worker thread pool for io_uring
 *
 * Requests that cannot complete inline are punted here.  Each NUMA node
 * has a pool of workers, split into bounded (regular file and block I/O)
 * and unbounded (everything else) accounts.
 *
 * patchtool demo tree: a small stand-in written for the example series.
 * It is not the kernel's code and it is not meant to build.
 */
#include <linux/kernel.h>
#include <linux/init.h>
#include <linux/errno.h>
#include <linux/sched/signal.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/rculist_nulls.h>
#include <linux/cpu.h>
#include <linux/tracehook.h>
#include <uapi/linux/io_uring.h>

#include "io-wq.h"

#define WORKER_IDLE_TIMEOUT	(5 * HZ)

enum {
	IO_WORKER_F_UP		= 1,	/* the thread has started */
	IO_WORKER_F_RUNNING	= 2,	/* counted in the running total */
	IO_WORKER_F_FREE	= 4,	/* idle, on the free list */
	IO_WORKER_F_BOUND	= 8,	/* serves the bounded account */
};

/* one worker thread */
struct io_worker {
	refcount_t ref;
	unsigned flags;
	struct hlist_nulls_node nulls_node;
	struct list_head all_list;
	struct task_struct *task;
	struct io_wqe *wqe;

	struct io_wq_work *cur_work;
	spinlock_t lock;

	struct completion ref_done;
	struct rcu_head rcu;
};

static void io_worker_release(struct io_worker *worker)
{
	if (refcount_dec_and_test(&worker->ref))
		complete(&worker->ref_done);
}

static bool io_worker_get(struct io_worker *worker)
{
	return refcount_inc_not_zero(&worker->ref);
}

/* called by the worker itself: unhook it from its wqe and let it go */
static void io_worker_exit(struct io_worker *worker)
{
	struct io_wqe *wqe = worker->wqe;

	/* wait for whoever still holds a reference, then nobody can find us */
	io_worker_release(worker);
	wait_for_completion(&worker->ref_done);

	raw_spin_lock(&wqe->lock);
	if (worker->flags & IO_WORKER_F_FREE)
		hlist_nulls_del_rcu(&worker->nulls_node);
	list_del_rcu(&worker->all_list);
	raw_spin_unlock(&wqe->lock);

	kfree_rcu(worker, rcu);
	do_exit(0);
}

/* run queued work until the queue is empty */
static void io_worker_handle_work(struct io_worker *worker)
{
	struct io_wqe *wqe = worker->wqe;
	struct io_wq *wq = wqe->wq;
	struct io_wq_work *work;

	for (;;) {
		raw_spin_lock(&wqe->lock);
		work = io_get_next_work(wqe, worker);
		raw_spin_unlock(&wqe->lock);
		if (!work)
			return;

		io_assign_current_work(worker, work);
		wq->do_work(work);
		io_assign_current_work(worker, NULL);
		wq->free_work(work);
	}
}

/* the worker thread: handle work, idle, and exit when idle for too long */
static int io_wqe_worker(void *data)
{
	struct io_worker *worker = data;
	struct io_wqe *wqe = worker->wqe;
	struct io_wq *wq = wqe->wq;
	char buf[TASK_COMM_LEN];

	worker->flags |= (IO_WORKER_F_UP | IO_WORKER_F_RUNNING);

	snprintf(buf, sizeof(buf), "iou-wrk-%d", wq->task->pid);
	set_task_comm(current, buf);

	while (!test_bit(IO_WQ_BIT_EXIT, &wq->state)) {
		bool timed_out;

		set_current_state(TASK_INTERRUPTIBLE);
		if (io_wqe_run_queue(wqe)) {
			io_worker_handle_work(worker);
			continue;
		}
		timed_out = !schedule_timeout(WORKER_IDLE_TIMEOUT);
		/* the last worker of a wqe stays around even when idle */
		if (timed_out && !signal_pending(current) &&
		    !io_wqe_is_last_worker(wqe, worker))
			break;
	}

	io_worker_exit(worker);
	return 0;
}
