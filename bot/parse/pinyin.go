package parse

import (
	"strings"
	"sync"

	pinyin "github.com/mozillazg/go-pinyin"
)

// Han characters that sound the same are a near miss of each other
// ("忠信" for 中信, "华鑫" for 华信): a rep typing pinyin on a phone picks the
// wrong character of the right sound. The sound of a character is its
// first reading in go-pinyin's dictionary, without its tone.

// hanLo and hanHi bound the characters given a sound: CJK Extension A and
// the Unified Ideographs, where every name a rep types is.
const hanLo, hanHi = 0x3400, 0x9FFF

var sounds struct {
	once sync.Once
	of   []uint16 // character - hanLo → its sound (0: none known)
}

// soundOf is r's tone-less pinyin as a number, or r itself (with the top
// bit set) for a character without one: equal numbers sound the same.
func soundOf(r rune) uint32 {
	sounds.once.Do(indexSounds)
	if r >= hanLo && r <= hanHi {
		if s := sounds.of[r-hanLo]; s != 0 {
			return uint32(s)
		}
	}
	return 1<<31 | uint32(r)
}

// indexSounds numbers the tone-less syllables of the dictionary once per
// process: 27,000 characters in 54 KB, looked up by position.
func indexSounds() {
	ids := map[string]uint16{}
	of := make([]uint16, hanHi-hanLo+1)
	var b strings.Builder
	for r, readings := range pinyin.PinyinDict {
		if r < hanLo || r > hanHi {
			continue
		}
		first, _, _ := strings.Cut(readings, ",")
		b.Reset()
		for _, c := range first {
			if c < 0x300 || c > 0x36F { // combining tone marks ("ê̄") dropped
				b.WriteRune(toneless(c))
			}
		}
		id, ok := ids[b.String()]
		if !ok {
			id = uint16(len(ids) + 1)
			ids[b.String()] = id
		}
		of[r-hanLo] = id
	}
	sounds.of = of
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
