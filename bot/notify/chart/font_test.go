package chart

import (
	"encoding/binary"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/dealcoach/dealcoach/bot/notify/chart/charttest"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"
)

func TestLoadFontErrors(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "notes.ttf")
	latin := filepath.Join(dir, "goregular.ttf")
	if err := os.WriteFile(text, []byte("not a font at all"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(latin, goregular.TTF, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path string
		also       error
	}{
		{"missing", filepath.Join(dir, "missing.ttf"), fs.ErrNotExist},
		{"not a font", text, nil},
		{"no CJK glyphs", latin, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := LoadFont(tt.path)
			if !errors.Is(err, ErrNoFont) {
				t.Fatalf("LoadFont(%s) = %v, %v; want ErrNoFont", tt.path, f, err)
			}
			if tt.also != nil && !errors.Is(err, tt.also) {
				t.Errorf("LoadFont(%s): %v, want it to wrap %v", tt.path, err, tt.also)
			}
		})
	}
}

func TestLoadFontDefault(t *testing.T) {
	f, err := LoadFont("")
	charttest.Check(t, err)
	if !slices.Contains(fontPaths(), f.path) {
		t.Errorf("LoadFont(\"\") found %s, not one of fontPaths", f.path)
	}
}

// TestLoadFontReadsLittle: checking a font reads the tables the check
// needs, not the whole file (serve checks its font at start, where a
// 4 MB read was most of its start-up garbage).
func TestLoadFontReadsLittle(t *testing.T) {
	f := testFont(t)
	st, err := os.Stat(f.path)
	if err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if _, err := LoadFont(f.path); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if n := after.TotalAlloc - before.TotalAlloc; n > uint64(st.Size())/4 {
		t.Fatalf("checking %s (%d bytes) allocated %d bytes", f.path, st.Size(), n)
	}
}

// TestLoadFontCollection loads each CJK .ttc on the machine (Noto CJK is
// CFF-flavoured; WenQuanYi and AR PL have unaligned tables) and draws with it.
func TestLoadFontCollection(t *testing.T) {
	var paths []string
	for _, p := range fontPaths() {
		if strings.HasSuffix(p, ".ttc") && fileExists(p) {
			paths = append(paths, p)
		}
	}
	filepath.WalkDir("/usr/share/fonts", func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".ttc") && strings.Contains(strings.ToUpper(p), "CJK") && !slices.Contains(paths, p) {
			paths = append(paths, p)
		}
		return nil
	})
	if len(paths) == 0 {
		t.Skip("no CJK .ttc font on this machine (apt-get install fonts-noto-cjk or fonts-wqy-microhei)")
	}
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) {
			f, err := LoadFont(p)
			if err != nil {
				t.Fatalf("LoadFont(%s): %v", p, err)
			}
			img := render(t, sampleFunnel(), f)
			if n := countDark(img, labelRect(1)); n < 40 {
				t.Errorf("label drawn with %d dark pixels", n)
			}
		})
	}
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// TestLoadFontUnaligned loads a collection whose tables are not on four-byte
// boundaries, which sfnt alone rejects (golang/go#46384).
func TestLoadFontUnaligned(t *testing.T) {
	cjk := testFont(t)
	data, err := os.ReadFile(cjk.path)
	if err != nil {
		t.Fatal(err)
	}
	if err := parseWithSFNT(data); err != nil {
		t.Skipf("%s: %v; the test needs a font sfnt reads as it is", cjk.path, err)
	}
	bad := misalignedTTC(t, data)
	if err := parseWithSFNT(bad); err == nil {
		t.Fatal("sfnt parses the misaligned font; the test no longer tests anything")
	}
	p := filepath.Join(t.TempDir(), "unaligned.ttc")
	if err := os.WriteFile(p, bad, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := LoadFont(p)
	if err != nil {
		t.Fatalf("LoadFont(unaligned .ttc): %v", err)
	}
	want := render(t, sampleFunnel(), cjk)
	got := render(t, sampleFunnel(), f)
	if n := countDark(got, labelRect(1)); n != countDark(want, labelRect(1)) {
		t.Errorf("unaligned copy draws %d dark label pixels, the original %d", n, countDark(want, labelRect(1)))
	}
}

// parseWithSFNT parses the first font of data with sfnt alone.
func parseWithSFNT(data []byte) error {
	c, err := sfnt.ParseCollection(data)
	if err != nil {
		return err
	}
	_, err = c.Font(0)
	return err
}

// misalignedTTC wraps the single font in data in a one-font collection with
// every table two bytes past a four-byte boundary.
func misalignedTTC(t *testing.T, data []byte) []byte {
	t.Helper()
	be := binary.BigEndian
	if string(data[:4]) == "ttcf" {
		t.Skip("the test font is a collection already")
	}
	n := int(be.Uint16(data[4:]))
	const start = 16 // after the TTC header
	out := []byte("ttcf\x00\x01\x00\x00\x00\x00\x00\x01\x00\x00\x00\x10")
	out = append(out, data[:12+16*n]...)
	for i := range n {
		rec := data[12+16*i:]
		off, length := be.Uint32(rec[8:]), be.Uint32(rec[12:])
		for len(out)%4 != 2 {
			out = append(out, 0)
		}
		be.PutUint32(out[start+12+16*i+8:], uint32(len(out)))
		out = append(out, data[off:off+length]...)
	}
	return out
}

func TestAlignTablesRejectsGarbage(t *testing.T) {
	for _, in := range [][]byte{nil, []byte("ttcf"), []byte("ttcf\x00\x01\x00\x00\x00\x00\x00\x01\xff\xff\xff\xff"), goregular.TTF[:40]} {
		if _, err := alignTables(in); err == nil {
			t.Errorf("alignTables(%q) = nil error", in)
		}
	}
}
