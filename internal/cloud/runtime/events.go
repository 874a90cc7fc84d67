package runtime

import "time"

// EventAction is what happened to a container, in the engine's words. The constants are the lifecycle
// changes the cloud acts on; any other action the engine reports (exec_create: ..., rename, update, ...)
// arrives unchanged as an EventAction too, so a watcher switches on the ones it knows and ignores the rest.
type EventAction string

// The container lifecycle actions. A container's process ending, however it happens, is always a die
// (with its ExitCode): kill, stop and oom only say why.
const (
	ActionCreate  EventAction = "create"
	ActionStart   EventAction = "start"
	ActionRestart EventAction = "restart"
	ActionKill    EventAction = "kill"    // a signal was sent; die follows if it ended the process
	ActionDie     EventAction = "die"     // the process ended, by itself or not
	ActionStop    EventAction = "stop"    // a stop request finished (after the die)
	ActionOOM     EventAction = "oom"     // the kernel's OOM killer hit the container; die follows
	ActionPause   EventAction = "pause"   // every process frozen
	ActionUnpause EventAction = "unpause" // thawed
	ActionDestroy EventAction = "destroy" // removed
)

// Event is a container lifecycle change the engine reported.
type Event struct {
	// ID is the engine's container ID. A container removed and created again under the same name gets a new
	// one, so a late event of the old container can be told apart from the new one's.
	ID        string
	Container string // container name
	Action    EventAction
	ExitCode  int    // for die
	Labels    Labels // the container's labels
	Time      time.Time
}
