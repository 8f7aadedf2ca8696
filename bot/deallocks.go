package bot

import (
	"sync"
)

// dealLocks serialises a process's turns on one deal, from their read to
// their commit: without it, each of several writers of one deal would read
// it, and all but one would find it changed at their commit and run again,
// some of them many times over.
type dealLocks struct {
	mu sync.Mutex
	m  map[int64]*dealLock
}

type dealLock struct {
	sync.Mutex
	waiting int // turns holding or waiting for it
}

// lock waits for deal id's turn and returns its unlock.
func (l *dealLocks) lock(id int64) func() {
	l.mu.Lock()
	if l.m == nil {
		l.m = map[int64]*dealLock{}
	}
	dl := l.m[id]
	if dl == nil {
		dl = &dealLock{}
		l.m[id] = dl
	}
	dl.waiting++
	l.mu.Unlock()
	dl.Lock()
	return func() {
		dl.Unlock()
		l.mu.Lock()
		if dl.waiting--; dl.waiting == 0 {
			delete(l.m, id)
		}
		l.mu.Unlock()
	}
}

// updated is the reply to a change: what changed, what the move left
