package export

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/dealcoach/dealcoach/coach"
	"github.com/dealcoach/dealcoach/store"
)

// Limits on an import file, so that a wrong file fails fast and clearly
// instead of filling memory.
const (
	MaxRows      = 50_000   // data rows, header excluded
	MaxLineBytes = 64 << 10 // one physical line
	MaxFileBytes = 64 << 20 // the whole file
	maxProblems  = 20       // bad rows reported at once
)

// LineError is a problem with one line of an import file. Line is the
// 1-based physical line (the header is line 1).
type LineError struct {
	Line   int
	Reason string
}

func (e *LineError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Reason) }

// Import creates and updates deals from the CSV in r, on behalf of actor.
//
// The header names the columns, in any order, from Columns. A row with an
// id updates that deal: columns absent from the file keep their values, so
// "id,stage" is enough to move deals. A row without an id creates a deal:
// customer is required; owner defaults to actor, stage to the first, status
// to open and currency to the currency argument. Stages are keys, names or
// aliases of pb's stages; amounts are plain decimals in major units, with
// optional thousands commas ("1,200,000.50", quoted). As in the chat, the
// final stage and status won go together: status won puts the deal in the
// final stage, the final stage makes it won, and a stage change on a closed
// deal with no status given reopens it. Only a lost deal keeps a lost reason.
//
// Every row is checked before anything is written. On any bad row Import
// returns the problems, each a *LineError naming its line, joined with
// errors.Join, and writes nothing; otherwise all rows are applied in one
// transaction, with history events for every change.
func Import(ctx context.Context, r io.Reader, db *store.DB, pb *coach.Playbook, actor coach.Person, currency string) (created, updated int, err error) {
	im := &importer{db: db, pb: pb, actor: actor, currency: currency,
		stages: stageIndex(pb), seen: map[int64]int{}, teams: map[string]int64{}}
	items, err := im.read(ctx, r)
	if err != nil {
		return 0, 0, err
	}
	created, updated, err = db.ImportDeals(ctx, items, actor.ID)
	if err != nil {
		return 0, 0, applyError(err)
	}
	return created, updated, nil
}

// importer holds what checking one file's rows needs.
type importer struct {
	db       *store.DB
	pb       *coach.Playbook
	actor    coach.Person
	currency string
	stages   map[string]string // normalised key, name or alias → stage key
	col      map[string]int    // column name → index
	width    int               // number of columns
	seen     map[int64]int     // deal id → line that updates it
	teams    map[string]int64  // owner name → team id
}

// read parses and checks every row, and returns the items to apply or the
// problems found.
func (im *importer) read(ctx context.Context, r io.Reader) ([]store.ImportItem, error) {
	cr := csv.NewReader(&limitReader{r: r})
	cr.FieldsPerRecord = -1 // checked per row, with a better message
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("import: the file is empty; want a header row such as %s", strings.Join(Columns(), ","))
	}
	if err != nil {
		return nil, readError(err)
	}
	if err := im.setHeader(header); err != nil {
		return nil, err
	}
	var items []store.ImportItem
	var problems []error
	bad, rows := 0, 0
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, readError(err)
		}
		line, _ := cr.FieldPos(0)
		if rows++; rows > MaxRows {
			return nil, &LineError{line, fmt.Sprintf("more than %d rows: split the file", MaxRows)}
		}
		if rows%1000 == 0 && ctx.Err() != nil {
			return nil, fmt.Errorf("import: %w", ctx.Err())
		}
		it, skip, err := im.row(ctx, line, rec)
		var le *LineError
		switch {
		case errors.As(err, &le):
			if bad++; bad <= maxProblems {
				problems = append(problems, le)
			}
		case err != nil:
			return nil, err
		case !skip:
			items = append(items, it)
		}
	}
	if bad > maxProblems {
		problems = append(problems, fmt.Errorf("… and %d more bad rows", bad-maxProblems))
	}
	return items, errors.Join(problems...)
}

// setHeader learns the columns from the header row.
func (im *importer) setHeader(header []string) error {
	im.col, im.width = map[string]int{}, len(header)
	var unknown []string
	for i, name := range header {
		if !utf8.ValidString(name) {
			return &LineError{1, "not UTF-8 text: save the file as CSV UTF-8"}
		}
		if i == 0 {
			name = strings.TrimPrefix(name, "\uFEFF") // spreadsheets add a BOM
		}
		name = strings.ToLower(strings.TrimSpace(name))
		if _, dup := im.col[name]; dup {
			return &LineError{1, fmt.Sprintf("column %q appears twice", name)}
		}
		if !slices.Contains(Columns(), name) {
			unknown = append(unknown, strconv.Quote(name))
		}
		im.col[name] = i
	}
	switch {
	case len(unknown) > 0:
		return &LineError{1, fmt.Sprintf("unknown column %s; the columns are %s",
			strings.Join(unknown, ", "), strings.Join(Columns(), ", "))}
	case !im.has("customer") && !im.has("id"):
		return &LineError{1, "no customer column (or id column, to update deals)"}
	}
	return nil
}

func (im *importer) has(col string) bool { _, ok := im.col[col]; return ok }

// readError turns a CSV syntax error or a limit into a line error.
func readError(err error) error {
	var le *LineError
	if errors.As(err, &le) {
		return le
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &LineError{pe.Line, fmt.Sprintf("column %d: %v", pe.Column, pe.Err)}
	}
	return fmt.Errorf("import: read: %w", err)
}

// applyError explains a failure of the import transaction.
func applyError(err error) error {
	var ie *store.ImportError
	if errors.As(err, &ie) {
		if coach.ErrorCode(ie.Err) == coach.NotFound {
			return &LineError{ie.Line, "the deal no longer exists"}
		}
		return fmt.Errorf("import: line %d: %w", ie.Line, ie.Err)
	}
	return fmt.Errorf("import: %w", err)
}

// limitReader fails on a physical line longer than MaxLineBytes or a file
// larger than MaxFileBytes, before the CSV reader buffers them.
type limitReader struct {
	r     io.Reader
	line  int // complete lines read so far
	width int // bytes of the current line so far
	total int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	if l.total += int64(n); l.total > MaxFileBytes {
		return 0, &LineError{l.line + 1, fmt.Sprintf("the file is larger than %d MiB: split it", MaxFileBytes>>20)}
	}
	for b := p[:n]; len(b) > 0; {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			l.width += len(b)
			break
		}
		if l.width += i; l.width > MaxLineBytes {
			break
		}
		l.line, l.width, b = l.line+1, 0, b[i+1:]
	}
	if l.width > MaxLineBytes {
		return 0, &LineError{l.line + 1, fmt.Sprintf("longer than %d KiB", MaxLineBytes>>10)}
	}
	return n, err
}
