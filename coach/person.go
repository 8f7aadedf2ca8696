package coach

// Role is what a person may do.
type Role string

// Roles, from least to most rights.
const (
	Rep     Role = "rep"
	Manager Role = "manager"
	Admin   Role = "admin"
)

// Person is a dealcoach user, known on one platform by one identity.
type Person struct {
	ID         int64
	Platform   string // "console", "slack", "lark"
	PlatformID string // the platform's user id
	Name       string
	TZ         string // IANA zone; "" means the deployment default
	Lang       string // "zh" or "en"; "" means detect
	Role       Role
	TeamID     int64 // 0: no team
	CoachNow   bool  // ask a new stage's questions at once; false: offer the coaching and wait
}

// Team is a group of reps with a manager and a digest channel.
type Team struct {
	ID   int64
	Name string
	TZ   string // IANA zone of the digest; "" means the deployment default
	Lang string // "zh" or "en": the digest's and the team's channel messages' language; "" until set

	DigestPlatform string // where the weekly digest goes ("slack", "lark"); "" until set
	DigestChannel  string
	RemindHour     int  // the morning reminder's hour (0–23) on each person's clock, unless they set their own
	Weekends       bool // reminders on Saturdays and Sundays too
}

// DefaultRemindHour is the morning reminder's hour until a team or person
// sets another.
const DefaultRemindHour = 9

// CanEdit reports whether p may change d: its owner, an admin, or a manager
// of the deal's team.
func (p Person) CanEdit(d Deal) bool {
	switch {
	case p.Role == Admin:
		return true
	case d.OwnerID == p.ID:
		return true
	case p.Role == Manager && p.TeamID != 0 && p.TeamID == d.TeamID:
		return true
	}
	return false
}
