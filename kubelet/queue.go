package kubelet

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// maxImagePullRequests is the length of the kubelet's serialized pull queue.
const maxImagePullRequests = 10

// pullOutcome is what one runtime pull gave.
type pullOutcome struct {
	res PullResult
	dur time.Duration // the runtime's pull, excluding the wait for a slot
	err error
	// shared is set for a caller that got another caller's outcome (DeduplicatePulls).
	shared bool
	// skipped is set when the runtime was never called: the job's context ended in the queue.
	skipped bool
}

// scheduler runs pulls as the kubelet's image puller does: one at a time from a queue
// (serialized) or concurrently, up to a bound or without one (parallel).
type scheduler interface {
	// do runs pull and returns its outcome. When ctx ends before pull starts, do returns
	// ctx.Err() and pull never runs. Once pull has started, do always returns its outcome,
	// as the kubelet always waits for the runtime's answer: an image the runtime pulled
	// must be recorded, whatever became of the caller.
	do(ctx context.Context, pull func() pullOutcome) (pullOutcome, error)
}

// unbounded runs every pull at once on the caller's goroutine.
type unbounded struct{}

func (unbounded) do(ctx context.Context, pull func() pullOutcome) (pullOutcome, error) {
	if err := ctx.Err(); err != nil {
		return pullOutcome{}, err
	}
	return pull(), nil
}

// semaphore runs at most cap(tokens) pulls at once, each on its caller's goroutine.
type semaphore struct{ tokens chan struct{} }

func newSemaphore(n int) *semaphore { return &semaphore{tokens: make(chan struct{}, n)} }

func (s *semaphore) do(ctx context.Context, pull func() pullOutcome) (pullOutcome, error) {
	if err := ctx.Err(); err != nil {
		return pullOutcome{}, err
	}
	select {
	case s.tokens <- struct{}{}:
	case <-ctx.Done():
		return pullOutcome{}, ctx.Err()
	}
	defer func() { <-s.tokens }()
	return pull(), nil
}

// serialQueue is the kubelet's serialized puller: one worker takes pulls from a queue of
// maxImagePullRequests and runs them in order; callers block while the queue is full. The
// worker is started by the first queued pull and exits when the queue is empty.
type serialQueue struct {
	queue   chan *pullJob
	mu      sync.Mutex // protects running
	running bool       // a worker is running, or about to
}

type pullJob struct {
	ctx   context.Context
	pull  func() pullOutcome
	state atomic.Int32     // jobQueued, then jobRunning (by the worker) or jobAbandoned (by the caller)
	done  chan pullOutcome // buffered: the worker never waits for a caller that left
}

// The states of a pullJob: the worker and a caller whose context ended race to move a queued
// job on; whichever wins decides whether the pull runs (and must be waited for) or never runs.
const (
	jobQueued int32 = iota
	jobRunning
	jobAbandoned
)

func newSerialQueue() *serialQueue {
	return &serialQueue{queue: make(chan *pullJob, maxImagePullRequests)}
}

func (q *serialQueue) do(ctx context.Context, pull func() pullOutcome) (pullOutcome, error) {
	if err := ctx.Err(); err != nil {
		return pullOutcome{}, err
	}
	job := &pullJob{ctx: ctx, pull: pull, done: make(chan pullOutcome, 1)}
	select {
	case q.queue <- job:
	case <-ctx.Done():
		return pullOutcome{}, ctx.Err()
	}
	q.mu.Lock()
	if !q.running {
		q.running = true
		go q.work()
	}
	q.mu.Unlock()
	select {
	case out := <-job.done:
		return out, nil
	case <-ctx.Done():
		if job.state.CompareAndSwap(jobQueued, jobAbandoned) {
			return pullOutcome{}, ctx.Err() // the worker will skip it: nothing was pulled
		}
		return <-job.done, nil // the pull is running: its outcome must be recorded
	}
}

// work runs queued pulls until the queue is empty. A caller that queues a job after work
// saw the queue empty finds running false and starts a new worker.
func (q *serialQueue) work() {
	for {
		select {
		case job := <-q.queue:
			if !job.state.CompareAndSwap(jobQueued, jobRunning) {
				continue // its caller left before its turn
			}
			if err := job.ctx.Err(); err != nil {
				job.done <- pullOutcome{err: err, skipped: true}
				continue
			}
			job.done <- job.pull()
		default:
			q.mu.Lock()
			if len(q.queue) > 0 {
				q.mu.Unlock()
				continue
			}
			q.running = false
			q.mu.Unlock()
			return
		}
	}
}
