// Package export writes every deal as JSON or CSV and imports deals from
// CSV: the `dealcoach export` and `dealcoach import` subcommands.
//
// Both formats carry the same columns in the same order (see Columns). An
// export re-imports as is: the derived columns (stage names, win rate,
// timestamps) are accepted and ignored by Import.
package export

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/dealcoach/dealcoach/coach"
	"github.com/dealcoach/dealcoach/store"
)

// Columns are the export's fields, in order: the JSON keys and the CSV
// header.
func Columns() []string {
	return []string{"id", "customer", "title", "owner", "amount", "currency", "stage", "stage_name",
		"win_rate", "status", "next_step", "next_step_due", "expected_close",
		"lost_reason", "created_at", "updated_at", "snoozed_until", "stage_name_zh"} // new columns go last: readers may count them
}

// record is one exported deal. Its fields follow Columns.
type record struct {
	ID            int64       `json:"id"`
	Customer      string      `json:"customer"`
	Title         string      `json:"title"`
	Owner         string      `json:"owner"`
	Amount        json.Number `json:"amount"` // Money.String: exact, never 1.2e+06
	Currency      string      `json:"currency"`
	Stage         string      `json:"stage"`
	StageName     string      `json:"stage_name"`
	WinRate       int         `json:"win_rate"`
	Status        string      `json:"status"`
	NextStep      string      `json:"next_step"`
	NextStepDue   *string     `json:"next_step_due"`
	ExpectedClose *string     `json:"expected_close"`
	LostReason    string      `json:"lost_reason"`
	CreatedAt     string      `json:"created_at"`
	UpdatedAt     string      `json:"updated_at"`
	SnoozedUntil  *string     `json:"snoozed_until"`
	StageNameZH   string      `json:"stage_name_zh"`
}

func newRecord(pb *coach.Playbook, d coach.Deal) record {
	s, _ := pb.Stage(d.Stage)
	return record{
		ID: d.ID, Customer: d.Customer, Title: d.Title, Owner: d.Owner,
		Amount: json.Number(d.Amount.String()), Currency: d.Currency,
		Stage: d.Stage, StageName: s.Name.EN, StageNameZH: s.Name.ZH, WinRate: pb.WinRate(d),
		Status: string(d.Status), NextStep: d.NextStep,
		NextStepDue: nullDate(d.NextStepDue), ExpectedClose: nullDate(d.ExpectedClose), SnoozedUntil: nullDate(d.SnoozedUntil),
		LostReason: d.LostReason, CreatedAt: stamp(d.CreatedAt), UpdatedAt: stamp(d.UpdatedAt),
	}
}

// fields is r as CSV cells, in Columns order; a null date is an empty cell.
func (r record) fields() []string {
	return []string{strconv.FormatInt(r.ID, 10), r.Customer, r.Title, r.Owner, string(r.Amount),
		r.Currency, r.Stage, r.StageName, strconv.Itoa(r.WinRate), r.Status,
		r.NextStep, deref(r.NextStepDue), deref(r.ExpectedClose), r.LostReason,
		r.CreatedAt, r.UpdatedAt, deref(r.SnoozedUntil), r.StageNameZH}
}

func nullDate(d coach.Date) *string {
	if d.IsZero() {
		return nil
	}
	s := d.String()
	return &s
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// stamp is RFC 3339 in UTC, to the second.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// Write writes every deal of db to w in format "json" or "csv", in id
// order, streaming: deals are read and written one at a time.
func Write(ctx context.Context, w io.Writer, db *store.DB, pb *coach.Playbook, format string) error {
	switch strings.ToLower(strings.TrimSpace(format)) {
	case "json":
		return writeJSON(ctx, w, db, pb)
	case "csv":
		return writeCSV(ctx, w, db, pb)
	}
	return fmt.Errorf("export format %q: want json or csv", format)
}

// writeJSON writes a JSON array with one indented object per deal; an empty
// database is "[]".
func writeJSON(ctx context.Context, w io.Writer, db *store.DB, pb *coach.Playbook) error {
	bw := bufio.NewWriter(w)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // customers like "Smith & Sons" stay readable
	enc.SetIndent("  ", "  ")
	sep := "[\n  "
	err := db.EachDeal(ctx, func(d coach.Deal) error {
		buf.Reset()
		if err := enc.Encode(newRecord(pb, d)); err != nil {
			return fmt.Errorf("encode deal %d: %w", d.ID, err)
		}
		bw.WriteString(sep)
		sep = ",\n  "
		// bufio errors are sticky: stop reading deals once w has failed.
		_, err := bw.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
		return err
	})
	if err != nil {
		return fmt.Errorf("export json: %w", err)
	}
	if sep == "[\n  " {
		bw.WriteString("[]\n")
	} else {
		bw.WriteString("\n]\n")
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("export json: %w", err)
	}
	return nil
}

// writeCSV writes a header row and one row per deal, UTF-8 without BOM.
func writeCSV(ctx context.Context, w io.Writer, db *store.DB, pb *coach.Playbook) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(Columns()); err != nil {
		return fmt.Errorf("export csv: %w", err)
	}
	err := db.EachDeal(ctx, func(d coach.Deal) error {
		if err := cw.Write(newRecord(pb, d).fields()); err != nil {
			return fmt.Errorf("write deal %d: %w", d.ID, err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("export csv: %w", err)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("export csv: %w", err)
	}
	return nil
}
