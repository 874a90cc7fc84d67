package ledger

import (
	"slices"
	"testing"
	"time"
)

const ms = time.Millisecond

// acksAt builds acked attempts of one writer ending at the given milliseconds.
func acksAt(ends ...int) []Attempt {
	var as []Attempt
	for i, e := range ends {
		as = append(as, Attempt{Key: Key{Seq: int64(i + 1)}, Outcome: Acked, End: time.Duration(e) * ms})
	}
	return as
}

func fault(name string, at int) Fault { return Fault{Name: name, At: time.Duration(at) * ms} }

func TestWriteGaps(t *testing.T) {
	other := []Attempt{
		{Key: Key{Writer: 1, Seq: 1}, Outcome: Failed, End: 600 * ms},
		{Key: Key{Writer: 1, Seq: 2}, Outcome: Unknown, End: 700 * ms},
	}
	tests := []struct {
		name     string
		attempts []Attempt
		faults   []Fault
		end      int
		want     []Gap
	}{
		{
			name:     "outage across the fault",
			attempts: acksAt(100, 200, 300, 1300, 1400),
			faults:   []Fault{fault("kill", 350)},
			end:      1500,
			want:     []Gap{{Fault: fault("kill", 350), From: 300 * ms, To: 1300 * ms, Recovered: true}},
		},
		{
			name:     "a straggler acked just after the mark does not cut the gap short",
			attempts: acksAt(100, 200, 260, 2000, 2100),
			faults:   []Fault{fault("kill", 250)},
			end:      2200,
			want:     []Gap{{Fault: fault("kill", 250), From: 260 * ms, To: 2000 * ms, Recovered: true}},
		},
		{
			name:     "writes that block later in the window are charged to the fault",
			attempts: acksAt(100, 900, 950, 1000, 4000, 4050),
			faults:   []Fault{fault("failover", 500)},
			end:      4100,
			want:     []Gap{{Fault: fault("failover", 500), From: 1000 * ms, To: 4000 * ms, Recovered: true}},
		},
		{
			name:     "mark after the outage began",
			attempts: acksAt(100, 1000),
			faults:   []Fault{fault("stop", 500)},
			end:      1100,
			want:     []Gap{{Fault: fault("stop", 500), From: 100 * ms, To: 1000 * ms, Recovered: true}},
		},
		{
			name:     "an ack at the fault's very instant counts as before it",
			attempts: acksAt(100, 500, 800),
			faults:   []Fault{fault("kill", 500)},
			end:      900,
			want:     []Gap{{Fault: fault("kill", 500), From: 500 * ms, To: 800 * ms, Recovered: true}},
		},
		{
			name:     "no ack after the fault: not recovered, bounded by the run's end",
			attempts: acksAt(100, 200),
			faults:   []Fault{fault("kill", 300)},
			end:      3000,
			want:     []Gap{{Fault: fault("kill", 300), From: 200 * ms, To: 3000 * ms}},
		},
		{
			name:     "no ack before the next fault: not recovered, bounded by that fault",
			attempts: acksAt(100, 900, 2500, 2600),
			faults:   []Fault{fault("second", 2000), fault("first", 1000)}, // out of order on purpose
			end:      2700,
			want: []Gap{
				{Fault: fault("first", 1000), From: 900 * ms, To: 2000 * ms},
				{Fault: fault("second", 2000), From: 900 * ms, To: 2500 * ms, Recovered: true},
			},
		},
		{
			name:     "each fault gets its own window",
			attempts: acksAt(100, 200, 1200, 1300, 1400, 1500, 3000, 3100),
			faults:   []Fault{fault("a", 250), fault("b", 1450)},
			end:      3200,
			want: []Gap{
				{Fault: fault("a", 250), From: 200 * ms, To: 1200 * ms, Recovered: true},
				{Fault: fault("b", 1450), From: 1500 * ms, To: 3000 * ms, Recovered: true},
			},
		},
		{
			name:     "a fault before any ack is measured from the run's start",
			attempts: acksAt(400, 450),
			faults:   []Fault{fault("early", 10)},
			end:      500,
			want:     []Gap{{Fault: fault("early", 10), From: 0, To: 400 * ms, Recovered: true}},
		},
		{
			name:     "failed and unknown attempts are not acknowledgements",
			attempts: append(acksAt(100, 1000), other...),
			faults:   []Fault{fault("kill", 150)},
			end:      1100,
			want:     []Gap{{Fault: fault("kill", 150), From: 100 * ms, To: 1000 * ms, Recovered: true}},
		},
		{
			name:     "no faults",
			attempts: acksAt(100),
			end:      200,
			want:     []Gap{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := WriteGaps(tt.attempts, tt.faults, 0, time.Duration(tt.end)*ms)
			if !slices.Equal(got, tt.want) {
				t.Errorf("WriteGaps =\n  %v\nwant\n  %v", got, tt.want)
			}
		})
	}
}

func TestWriteGapsCountsSyncCancelledAcks(t *testing.T) {
	as := acksAt(100, 900)
	as[1].SyncCancelled = true
	got := WriteGaps(as, []Fault{fault("kill", 200)}, 0, time.Second)
	if len(got) != 1 || got[0].To != 900*ms {
		t.Fatalf("WriteGaps = %v, want the gap to end at the sync-cancelled ack (900ms)", got)
	}
}

func TestPercentiles(t *testing.T) {
	seq := func(n int) []time.Duration {
		var ds []time.Duration
		for i := n; i >= 1; i-- { // descending, so sorting is needed
			ds = append(ds, time.Duration(i)*ms)
		}
		return ds
	}
	tests := []struct {
		name string
		in   []time.Duration
		want Stats
	}{
		{"none", nil, Stats{}},
		{"one", []time.Duration{7 * ms}, Stats{N: 1, P50: 7 * ms, P95: 7 * ms, Max: 7 * ms}},
		{"two", []time.Duration{9 * ms, 1 * ms}, Stats{N: 2, P50: 1 * ms, P95: 9 * ms, Max: 9 * ms}},
		{"twenty trials", seq(20), Stats{N: 20, P50: 10 * ms, P95: 19 * ms, Max: 20 * ms}},
		{"hundred", seq(100), Stats{N: 100, P50: 50 * ms, P95: 95 * ms, Max: 100 * ms}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := slices.Clone(tt.in)
			if got := Percentiles(in); got != tt.want {
				t.Errorf("Percentiles = %v, want %v", got, tt.want)
			}
			if !slices.Equal(in, tt.in) {
				t.Error("Percentiles reordered its input")
			}
		})
	}
}

func TestGapStats(t *testing.T) {
	gaps := []Gap{{From: 0, To: 3 * time.Second}, {From: time.Second, To: 2 * time.Second}}
	if got := GapStats(gaps); got != (Stats{N: 2, P50: time.Second, P95: 3 * time.Second, Max: 3 * time.Second}) {
		t.Errorf("GapStats = %v", got)
	}
}
