package parse

import "strings"

// Names of factors, roles, relationships and styles match ignoring case, spaces, underscores and hyphens, so that
// "decision maker", "Decision-Maker" and "decision_maker" are one name. The
// helpers below compare in place, without building folded copies: they run
// on every message that might be a mark or a contact.

// foldSkip reports the bytes a name ignores.
func foldSkip(c byte) bool { return c == ' ' || c == '_' || c == '-' }

func foldByte(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

const ideographicSpace = "\u3000"

// foldPrefixLen is how many bytes of low the name spans at its start, or -1.
// low is normalised text: lower-case ASCII, no ideographic spaces.
func foldPrefixLen(low, name string) int {
	i, matched := 0, false
	for j := 0; j < len(name); {
		c := name[j]
		if foldSkip(c) {
			j++
			continue
		}
		if strings.HasPrefix(name[j:], ideographicSpace) {
			j += len(ideographicSpace)
			continue
		}
		for matched && i < len(low) && foldSkip(low[i]) {
			i++
		}
		if i >= len(low) || low[i] != foldByte(c) {
			return -1
		}
		i, j, matched = i+1, j+1, true
	}
	if !matched {
		return -1
	}
	return i
}

// foldSuffixLen is foldPrefixLen at the end of low.
func foldSuffixLen(low, name string) int {
	i, matched := len(low), false
	for j := len(name); j > 0; {
		c := name[j-1]
		if foldSkip(c) {
			j--
			continue
		}
		if strings.HasSuffix(name[:j], ideographicSpace) {
			j -= len(ideographicSpace)
			continue
		}
		for matched && i > 0 && foldSkip(low[i-1]) {
			i--
		}
		if i == 0 || low[i-1] != foldByte(c) {
			return -1
		}
		i, j, matched = i-1, j-1, true
	}
	if !matched {
		return -1
	}
	return len(low) - i
}

// foldEqual reports whether low is the name.
func foldEqual(low, name string) bool {
	n := foldPrefixLen(low, name)
	if n < 0 {
		return false
	}
	for ; n < len(low); n++ {
		if !foldSkip(low[n]) {
			return false
		}
	}
	return true
}

// nameEnds reports whether a name matched at low[i:i+n] stands as a whole
// word: an English name must not run on into more letters at either end.
func nameEnds(low string, i, n int) bool {
	if isWordByte(low[i]) && i > 0 && isWordByte(low[i-1]) {
		return false
	}
	end := i + n
	return !(isWordByte(low[end-1]) && end < len(low) && isWordByte(low[end]))
}
