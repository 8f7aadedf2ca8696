package coach

// The rules' tests take their playbooks from the real decoder in package
// prompts, which imports coach: a test inside coach cannot import it, so the
// external test file playbook_data_test.go lends them its functions before
// any test runs.
var (
	// LoadPlaybook is prompts.LoadPlaybook.
	LoadPlaybook func(nameOrPath string) (*Playbook, error)
	// ParsePlaybook is prompts.ParsePlaybook.
	ParsePlaybook func(file string, b []byte) (*Playbook, error)
)
