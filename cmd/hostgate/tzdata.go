package main

// The time zone database is built in, so a property's local times (check-in
// and check-out, turnovers, a task's day) come out right on a machine or
// container without /usr/share/zoneinfo.
import _ "time/tzdata"
