package coach_test

import (
	"github.com/dealcoach/dealcoach/coach"
	"github.com/dealcoach/dealcoach/prompts"
)

// Lend the playbook decoder to the tests inside package coach (see
// prompts_hook_test.go).
func init() {
	coach.LoadPlaybook = prompts.LoadPlaybook
	coach.ParsePlaybook = prompts.ParsePlaybook
}
