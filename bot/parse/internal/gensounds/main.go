// Command gensounds writes the table of sounds the reader uses to find
// homophone near misses (bot/parse/sounds.bin): for each Han character
// from U+3400 to U+9FFF, two bytes (little-endian) numbering its tone-less
// pinyin, its first reading in go-pinyin's dictionary (0: none known).
// The numbers follow the syllables' alphabetical order, so the file only
// changes when the dictionary does. Run by go generate in bot/parse; the
// dictionary is not linked into the program, only the 54 KB table.
package main

import (
	"encoding/binary"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"

	pinyin "github.com/mozillazg/go-pinyin"
)

const hanLo, hanHi = 0x3400, 0x9FFF // as in bot/parse

func main() {
	out := flag.String("o", "sounds.bin", "the table to write")
	flag.Parse()
	of := make([]string, hanHi-hanLo+1)
	seen := map[string]bool{}
	for r, readings := range pinyin.PinyinDict {
		if r < hanLo || r > hanHi {
			continue
		}
		first, _, _ := strings.Cut(readings, ",")
		var b strings.Builder
		for _, c := range first {
			if c < 0x300 || c > 0x36F { // combining tone marks ("ê̄") dropped
				b.WriteRune(toneless(c))
			}
		}
		of[r-hanLo] = b.String()
		seen[b.String()] = true
	}
	syllables := make([]string, 0, len(seen))
	for s := range seen {
		syllables = append(syllables, s)
	}
	slices.Sort(syllables)
	table := make([]byte, 2*len(of))
	chars := 0
	for i, s := range of {
		if s != "" {
			chars++
			k, _ := slices.BinarySearch(syllables, s)
			binary.LittleEndian.PutUint16(table[2*i:], uint16(k+1))
		}
	}
	if err := os.WriteFile(*out, table, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "gensounds:", err)
		os.Exit(1)
	}
	fmt.Printf("gensounds: %d characters, %d syllables\n", chars, len(syllables))
}

// toneless drops the tone mark of a pinyin letter; ü is written v.
func toneless(c rune) rune {
	switch c {
	case 'ā', 'á', 'ǎ', 'à':
		return 'a'
	case 'ē', 'é', 'ě', 'è', 'ê', 'ế', 'ề':
		return 'e'
	case 'ī', 'í', 'ǐ', 'ì':
		return 'i'
	case 'ō', 'ó', 'ǒ', 'ò':
		return 'o'
	case 'ū', 'ú', 'ǔ', 'ù':
		return 'u'
	case 'ü', 'ǖ', 'ǘ', 'ǚ', 'ǜ':
		return 'v'
	case 'ń', 'ň', 'ǹ':
		return 'n'
	case 'ḿ':
		return 'm'
	}
	return c
}
