package parse

import (
	_ "embed" // the table of sounds
)

// Han characters that sound the same are a near miss of each other
// ("忠信" for 中信, "华鑫" for 华信): a rep typing pinyin on a phone picks the
// wrong character of the right sound. The sound of a character is its
// first reading in go-pinyin's dictionary, without its tone, numbered in
// sounds.bin (written by internal/gensounds: the dictionary itself is not
// linked in, which would cost a megabyte of binary and five of memory).

//go:generate go run ./internal/gensounds -o sounds.bin

// hanLo and hanHi bound the characters given a sound: CJK Extension A and
// the Unified Ideographs, where every name a rep types is.
const hanLo, hanHi = 0x3400, 0x9FFF

// soundTable holds two bytes (little-endian) per character from hanLo.
//
//go:embed sounds.bin
var soundTable string

// soundOf is r's tone-less pinyin as a number, or r itself (with the top
// bit set) for a character without one: equal numbers sound the same.
func soundOf(r rune) uint32 {
	if r >= hanLo && r <= hanHi {
		i := 2 * int(r-hanLo)
		if s := uint32(soundTable[i]) | uint32(soundTable[i+1])<<8; s != 0 {
			return s
		}
	}
	return 1<<31 | uint32(r)
}
