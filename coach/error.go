package coach

import (
	"errors"
	"fmt"
)

// Code classifies an error for the edge: what to tell the user and which
// HTTP status to answer with.
type Code string

// The error codes. Anything not a *Error is internal.
const (
	Invalid   Code = "invalid"
	NotFound  Code = "not_found"
	Conflict  Code = "conflict"
	Forbidden Code = "forbidden"
	Internal  Code = "internal"
)

// Error is a failure a user can be told about: Key names a message in the
// prompts catalogue, Args fill its template.
type Error struct {
	Code Code
	Key  string
	Args map[string]any
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %s %v", e.Code, e.Key, e.Args) }

// Errorf builds an *Error. args are key/value pairs for the message template.
func Errorf(code Code, key string, args ...any) *Error {
	m := make(map[string]any, len(args)/2)
	for i := 0; i+1 < len(args); i += 2 {
		m[fmt.Sprint(args[i])] = args[i+1]
	}
	return &Error{Code: code, Key: key, Args: m}
}

// ErrorCode is the code of err, Internal for anything not an *Error.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}
