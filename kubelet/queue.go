package kubelet

import (
	"context"
	"sync"
	"time"
)

// maxImagePullRequests is the length of the kubelet's serialized pull queue.
const maxImagePullRequests = 10

// pullOutcome is what one runtime pull gave.
type pullOutcome struct {
	res PullResult
	dur time.Duration // the runtime's pull, excluding the wait for a slot
	err error
}

// scheduler runs pulls as the kubelet's image puller does: one at a time from a queue
// (serialized) or concurrently, up to a bound or without one (parallel).
type scheduler interface {
	// do runs pull and returns its outcome. When ctx ends first, do returns ctx.Err() at
	// once; pull then either never runs or runs on with its own (ended) context.
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
	ctx  context.Context
	pull func() pullOutcome
	done chan pullOutcome // buffered: the worker never waits for a caller that left
}

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
		return pullOutcome{}, ctx.Err()
	}
}

// work runs queued pulls until the queue is empty. A caller that queues a job after work
// saw the queue empty finds running false and starts a new worker.
func (q *serialQueue) work() {
	for {
		select {
		case job := <-q.queue:
			if err := job.ctx.Err(); err != nil {
				job.done <- pullOutcome{err: err}
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
