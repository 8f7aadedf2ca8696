package parse

import "unicode/utf8"

// cnDigit is the value of a Chinese digit (一 … 九, 两, 零).
func cnDigit(r rune) (uint64, bool) {
	switch r {
	case '零', '〇':
		return 0, true
	case '一':
		return 1, true
	case '二', '两':
		return 2, true
	case '三':
		return 3, true
	case '四':
		return 4, true
	case '五':
		return 5, true
	case '六':
		return 6, true
	case '七':
		return 7, true
	case '八':
		return 8, true
	case '九':
		return 9, true
	}
	return 0, false
}

func cnUnit(r rune) (uint64, bool) {
	switch r {
	case '十':
		return 10, true
	case '百':
		return 100, true
	case '千':
		return 1000, true
	}
	return 0, false
}

// scanCN reads a Chinese numeral below 10000 at low[j:]: "十二", "一百二十",
// "两千", "一百零五", and the spoken short form "三千五" (3500).
func scanCN(low string, j int) (v uint64, end int, ok bool) {
	var total uint64
	cur, last := -1, uint64(10000)
	zero, k := false, j
	for k < len(low) {
		r, n := utf8.DecodeRuneInString(low[k:])
		if d, isD := cnDigit(r); isD {
			if cur >= 0 {
				break // "一二" is not a number
			}
			if d == 0 {
				zero, k = true, k+n
				continue
			}
			cur, k = int(d), k+n
			continue
		}
		u, isU := cnUnit(r)
		if !isU || u >= last || (cur < 0 && !(u == 10 && total == 0)) {
			break
		}
		if cur < 0 {
			cur = 1 // "十二": the 一 is silent
		}
		total, cur, last, k = total+uint64(cur)*u, -1, u, k+n
	}
	if k == j || (zero && cur < 0 && total == 0) {
		return 0, j, false
	}
	if cur >= 0 {
		if !zero && last <= 1000 && last >= 100 {
			total += uint64(cur) * last / 10 // spoken: "三千五" is 3500
		} else {
			total += uint64(cur)
		}
	}
	return total, k, true
}

// scanInt reads a small number, digits or Chinese, at low[j:].
func scanInt(low string, j int) (v int, end int, ok bool) {
	if j >= len(low) {
		return 0, j, false
	}
	if isDigit(low[j]) {
		k := j
		for k < len(low) && isDigit(low[k]) && k-j < 5 {
			v = v*10 + int(low[k]-'0')
			k++
		}
		if k < len(low) && isDigit(low[k]) {
			return 0, j, false
		}
		return v, k, true
	}
	u, k, ok := scanCN(low, j)
	return int(u), k, ok
}
