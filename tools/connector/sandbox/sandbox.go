package sandbox

import (
	"fmt"
	"time"
)

// Options configure a sandbox. The zero value works.
type Options struct {
	// Now is the clock for token expiry, default date windows, rate limits and the seeded
	// data (which is laid out around Now at construction). Default time.Now.
	Now func() time.Time
	// Seed varies the seeded bookings, guests and counts; 0 means a fixed default seed. Either
	// way the data is deterministic for a given Seed and Now.
	Seed int64
	// Bulk, when > 0, adds that many confirmed reservations to each fake that has reservations
	// (Hostex, Hospitable, Hostaway), on top of the normal seed: check-ins spread evenly over
	// the 30 days starting on Now's date (UTC), the properties taking turns, each with its own
	// id, booking code and guest name, and no messages or reviews. It is a load fixture for
	// paging tests, not a plausible calendar: the stays may overlap one another and the seeded
	// ones, and they leave the calendars as the normal seed has them. The normal seed is the
	// same with or without them. Zero changes nothing.
	Bulk int
}

// Sandbox is the four fake vendors, each serving on its own loopback listener.
type Sandbox struct {
	Hostex     *Vendor
	Hospitable *Vendor
	Hostaway   *Vendor
	HoxtonAI   *Vendor
}

// Start starts the four fake vendors, each on its own 127.0.0.1:0 listener with real HTTP.
// Call Close when done.
func Start(opts Options) (*Sandbox, error) {
	s := &Sandbox{
		Hostex:     NewHostex(opts),
		Hospitable: NewHospitable(opts),
		Hostaway:   NewHostaway(opts),
		HoxtonAI:   NewHoxtonAI(opts),
	}
	for _, v := range s.Vendors() {
		if err := v.Start(); err != nil {
			s.Close()
			return nil, fmt.Errorf("sandbox: start: %w", err)
		}
	}
	return s, nil
}

// Close stops every vendor's listener.
func (s *Sandbox) Close() {
	for _, v := range s.Vendors() {
		v.Close()
	}
}

// Vendors returns the four vendors in a fixed order: Hostex, Hospitable, Hostaway, HoxtonAI.
func (s *Sandbox) Vendors() []*Vendor {
	return []*Vendor{s.Hostex, s.Hospitable, s.Hostaway, s.HoxtonAI}
}
