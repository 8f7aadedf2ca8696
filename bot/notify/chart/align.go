package chart

import (
	"encoding/binary"
	"errors"
	"math/bits"
)

var errBadSFNT = errors.New("not an SFNT font")

// alignTables rewrites the first font of data (a .ttf, .otf or .ttc) as a
// single font whose tables start on four-byte boundaries, as the OpenType
// spec asks and sfnt insists. The table directory keeps its order; table
// bytes are copied unchanged.
func alignTables(data []byte) ([]byte, error) {
	be := binary.BigEndian
	if len(data) < 12 {
		return nil, errBadSFNT
	}
	start := 0
	if string(data[:4]) == "ttcf" {
		if be.Uint32(data[8:12]) == 0 || len(data) < 16 {
			return nil, errBadSFNT
		}
		start = int(be.Uint32(data[12:16]))
	}
	if start > len(data)-12 {
		return nil, errBadSFNT
	}
	n := int(be.Uint16(data[start+4:]))
	dir := start + 12
	if n == 0 || dir+16*n > len(data) {
		return nil, errBadSFNT
	}

	size := 12 + 16*n
	for i := range n {
		rec := data[dir+16*i:]
		off, length := int(be.Uint32(rec[8:])), int(be.Uint32(rec[12:]))
		if off < 0 || length < 0 || off > len(data) || length > len(data)-off {
			return nil, errBadSFNT
		}
		size += pad4(length)
	}

	out := make([]byte, 12+16*n, size)
	copy(out[:4], data[start:start+4]) // sfnt version: TrueType or CFF
	be.PutUint16(out[4:], uint16(n))
	// searchRange, entrySelector and rangeShift, as the spec defines them.
	sel := bits.Len(uint(n)) - 1
	be.PutUint16(out[6:], uint16(16<<sel))
	be.PutUint16(out[8:], uint16(sel))
	be.PutUint16(out[10:], uint16(16*n-16<<sel))
	for i := range n {
		rec := data[dir+16*i:]
		off, length := int(be.Uint32(rec[8:])), int(be.Uint32(rec[12:]))
		o := out[12+16*i:]
		copy(o[:8], rec[:8]) // tag and checksum
		be.PutUint32(o[8:], uint32(len(out)))
		be.PutUint32(o[12:], uint32(length))
		out = append(out, data[off:off+length]...)
		out = append(out, make([]byte, pad4(length)-length)...)
	}
	return out, nil
}

func pad4(n int) int { return (n + 3) &^ 3 }
