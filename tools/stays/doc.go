// Package stays computes what hosts ask of their bookings across every
// account at once, from the normalized types of tools/connector: revenue
// and occupancy over a date range, short unbooked gaps between stays,
// turnovers (a check-out and the next check-in), and finding a
// reservation from a fragment of what a guest wrote. It calls no vendor:
// the tools gather the reservations and calendars and hand them here, so
// every figure is tested on plain data.
//
// Dates are the property's local dates as the vendors give them
// (YYYY-MM-DD); a night is named by the date it starts. A range [From, To]
// holds the nights From through To, both included.
package stays
