package policy

import (
	"sync"
	"time"
)

// UnitZoneName is the clock the units keep: working hours and night are
// read on it, and the pages show and take times in it. One zone for the
// force; it becomes a unit's setting when a force spans zones.
const UnitZoneName = "Europe/London"

var unitZone = sync.OnceValue(func() *time.Location {
	loc, err := time.LoadLocation(UnitZoneName)
	if err != nil {
		// The binary embeds the zone database (cmd/tandem imports
		// time/tzdata): this is a test binary on a machine without one.
		return time.UTC
	}
	return loc
})

// UnitZone is the units' clock (UnitZoneName).
func UnitZone() *time.Location { return unitZone() }
