package main

import (
	"os"
	"testing"
)

// asHostgate is set in the environment of a process the tests start from
// their own binary to run it as the hostgate command (processes_test.go): the
// test binary holds all of main, so the processes run the very code
// "hostgate serve" runs, with no separate build.
const asHostgate = "HOSTGATE_TEST_RUN_AS_HOSTGATE"

func TestMain(m *testing.M) {
	if os.Getenv(asHostgate) == "1" {
		main() // exits by itself on an error
		os.Exit(0)
	}
	os.Exit(m.Run())
}
