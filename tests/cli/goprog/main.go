// SPDX-License-Identifier: MIT
// Writes Go's own block and mutex profiles of two lock sites with known
// waits: each round, holdA keeps mutex a for -a, while waitA blocks on it;
// then the same for b. At the end it prints the waits it measured itself,
// in ns: "waitA=N waitB=N". Usage: goprog -a 2ms -b 2ms -rounds 30 -dir DIR
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sync"
	"time"
)

//go:noinline
func hold(m *sync.Mutex, held chan<- struct{}, d time.Duration) {
	m.Lock()
	held <- struct{}{}
	time.Sleep(d)
	m.Unlock()
}

//go:noinline
func waitA(m *sync.Mutex) { m.Lock(); m.Unlock() }

//go:noinline
func waitB(m *sync.Mutex) { m.Lock(); m.Unlock() }

// site returns how long wait blocked, by the waiter's own clock.
func site(wait func(*sync.Mutex), d time.Duration) time.Duration {
	var m sync.Mutex
	var waited time.Duration
	held := make(chan struct{})
	done := make(chan struct{})
	go func() {
		<-held // m is held: the wait is about d
		start := time.Now()
		wait(&m)
		waited = time.Since(start)
		close(done)
	}()
	hold(&m, held, d)
	<-done
	return waited
}

func write(dir, name string) {
	f, err := os.Create(filepath.Join(dir, name+".pprof"))
	if err != nil {
		log.Fatal(err)
	}
	if err := pprof.Lookup(name).WriteTo(f, 0); err != nil {
		log.Fatal(err)
	}
	f.Close()
}

func main() {
	a := flag.Duration("a", 2*time.Millisecond, "hold time of site A")
	b := flag.Duration("b", 2*time.Millisecond, "hold time of site B")
	rounds := flag.Int("rounds", 30, "rounds")
	dir := flag.String("dir", ".", "output directory")
	flag.Parse()
	runtime.SetBlockProfileRate(1)
	runtime.SetMutexProfileFraction(1)
	var waitedA, waitedB time.Duration
	for i := 0; i < *rounds; i++ {
		waitedA += site(waitA, *a)
		waitedB += site(waitB, *b)
	}
	fmt.Printf("waitA=%d waitB=%d\n", waitedA.Nanoseconds(), waitedB.Nanoseconds())
	write(*dir, "block")
	write(*dir, "mutex")
}
