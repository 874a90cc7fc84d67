package controller

import "sync"

// serverLocks serializes the operations of one server inside this process. The API already refuses a
// second server-level operation; this keeps concurrent child operations (firewall rules, databases) from
// rendering and reloading the same instance at once.
type serverLocks struct {
	mu    sync.Mutex
	locks map[string]*sync.Mutex
}

func (l *serverLocks) lock(server string) func() {
	l.mu.Lock()
	if l.locks == nil {
		l.locks = map[string]*sync.Mutex{}
	}
	m, ok := l.locks[server]
	if !ok {
		m = &sync.Mutex{}
		l.locks[server] = m
	}
	l.mu.Unlock()
	m.Lock()
	return m.Unlock
}
