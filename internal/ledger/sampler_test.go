package ledger

import (
	"strconv"
	"testing"
	"time"
)

func ack(instance string, at int) Sample {
	return Sample{Instance: instance, Role: RolePrimary, At: time.Duration(at) * ms, Write: WriteAcked, WriteAt: time.Duration(at) * ms}
}

func refused(instance string, at int) Sample {
	return Sample{Instance: instance, Role: RoleStandby, At: time.Duration(at) * ms, Write: WriteFailed, WriteAt: time.Duration(at) * ms}
}

func TestTwoWriters(t *testing.T) {
	late := ack("a", 1250)
	late.Late = true
	timedOut := ack("a", 1210)
	timedOut.Write = WriteTimedOut
	tests := []struct {
		name    string
		samples []Sample
		want    [][2]string // instance@ms of each overlap, earlier first
	}{
		{
			name:    "clean handover",
			samples: []Sample{ack("a", 0), ack("a", 100), refused("b", 100), ack("b", 400), refused("a", 400)},
		},
		{
			name:    "acks of one instance never overlap themselves",
			samples: []Sample{ack("a", 0), ack("a", 50), ack("a", 99)},
		},
		{
			name:    "two instances ack within one interval",
			samples: []Sample{ack("a", 1000), ack("b", 1040), ack("a", 1100), ack("b", 1300)},
			want:    [][2]string{{"a@1000", "b@1040"}, {"b@1040", "a@1100"}},
		},
		{
			name:    "a round boundary between the acks does not hide them",
			samples: []Sample{ack("a", 1099), ack("b", 1101)},
			want:    [][2]string{{"a@1099", "b@1101"}},
		},
		{
			name:    "exactly one interval apart is not simultaneous",
			samples: []Sample{ack("a", 1000), ack("b", 1100)},
		},
		{
			name:    "a late ack of a fenced primary counts at its own instant",
			samples: []Sample{timedOut, ack("b", 1200), late},
			want:    [][2]string{{"b@1200", "a@1250"}},
		},
		{
			name:    "timed-out and busy probes are not acks",
			samples: []Sample{timedOut, {Instance: "a", Write: WriteBusy, WriteAt: 1220 * ms}, ack("b", 1230)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := TwoWriters(tt.samples, 100*ms)
			if len(got) != len(tt.want) {
				t.Fatalf("TwoWriters = %v, want %v", got, tt.want)
			}
			for i, o := range got {
				pair := [2]string{at(o.First), at(o.Second)}
				if pair != tt.want[i] {
					t.Errorf("overlap %d = %v, want %v", i, pair, tt.want[i])
				}
			}
		})
	}
}

func at(s Sample) string {
	return s.Instance + "@" + strconv.FormatInt(s.WriteAt.Milliseconds(), 10)
}

func TestTwoPrimaries(t *testing.T) {
	unreachable := Sample{Instance: "a", Role: RoleUnknown, At: 1050 * ms}
	late := ack("a", 1060)
	late.Late = true // repeats its round's role answer; must not count again
	samples := []Sample{ack("a", 1000), unreachable, refused("b", 1040), late, ack("b", 1500), ack("a", 1550)}
	got := TwoPrimaries(samples, 100*ms)
	if len(got) != 1 || got[0].First.Instance != "b" || got[0].Second.Instance != "a" || got[0].Second.At != 1550*ms {
		t.Fatalf("TwoPrimaries = %v, want b@1500 with a@1550", got)
	}
}

func TestSummarizeSamples(t *testing.T) {
	late := ack("a", 1250)
	late.Late = true
	wantParts(t, summarizeSamples([]Sample{ack("a", 1000), refused("b", 1000), ack("b", 1200), late}, 100*ms),
		"a 1 samples, 1 primary, 1 acked writes (1 late)",
		"b 2 samples, 1 primary, 1 acked writes (0 late)",
		"two writers: 1 (first: b at 1.2s and a at 1.25s)",
		"two primaries: 0",
	)
}
