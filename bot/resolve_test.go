package bot

import (
	"testing"

	"github.com/dealcoach/dealcoach/bot/parse"
)

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b  string
		limit int
		want  int
	}{
		{"umbrella", "umbrela", 3, 1},
		{"acme", "acme", 3, 0},
		{"acme", "acne corp", 3, 3}, // capped
		{"经信银行", "经信很行", 2, 1},
		{"", "abc", 5, 3},
		{"kitten", "sitting", 5, 3},
	}
	for _, tt := range tests {
		if got := parse.EditDistance([]rune(tt.a), []rune(tt.b), tt.limit); got != tt.want {
			t.Errorf("editDistance(%q, %q, %d) = %d, want %d", tt.a, tt.b, tt.limit, got, tt.want)
		}
	}
}
