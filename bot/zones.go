package bot

import (
	"sync"
	"time"
)

// Zones loads time zones by name and keeps them: time.LoadLocation parses
// the zone file on every call, and every message needs its sender's and
// every minute's scan each person's. The zero value is ready to use.
type Zones struct {
	m sync.Map // name → *time.Location
}

// Load returns the named zone; false for "" or a name that is no zone.
func (z *Zones) Load(name string) (*time.Location, bool) {
	if name == "" {
		return nil, false
	}
	if loc, ok := z.m.Load(name); ok {
		return loc.(*time.Location), true
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, false
	}
	z.m.Store(name, loc)
	return loc, true
}
