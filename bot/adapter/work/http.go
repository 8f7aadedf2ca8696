package work

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
)

// MaxBody bounds a platform's request; Slack's and Lark's own payloads are
// far smaller.
const MaxBody = 1 << 20

// ReadBody reads a request's body, at most MaxBody bytes. When it cannot,
// it has answered (413 for a body too large, else 400) and ok is false.
func ReadBody(w http.ResponseWriter, r *http.Request) (body []byte, ok bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
			return nil, false
		}
		http.Error(w, "cannot read request", http.StatusBadRequest)
		return nil, false
	}
	return body, true
}

// WriteJSON answers 200 with v as JSON, or with nothing when v is nil, its
// length set so that a flushed answer is complete.
func WriteJSON(w http.ResponseWriter, v any) {
	if v == nil {
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(http.StatusOK)
		return
	}
	raw, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "cannot encode the answer", http.StatusInternalServerError)
		return
	}
	WriteRawJSON(w, raw)
}

// WriteRawJSON answers 200 with raw, JSON already encoded (by an encoder
// cheaper than encoding/json's), as WriteJSON answers with its encoding.
func WriteRawJSON(w http.ResponseWriter, raw []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(raw)))
	w.Write(raw)
}

// StatusWriter notes the status a handler answered with (200 unless it
// wrote another): for a request's log line, or to undo what a failed
// request recorded.
type StatusWriter struct {
	http.ResponseWriter
	Status int
}

// NewStatusWriter wraps w.
func NewStatusWriter(w http.ResponseWriter) *StatusWriter {
	return &StatusWriter{ResponseWriter: w, Status: http.StatusOK}
}

// WriteHeader notes code and writes it.
func (w *StatusWriter) WriteHeader(code int) {
	w.Status = code
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection's own writer
// (Flush).
func (w *StatusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
