package parse

import (
	"fmt"
	"testing"
)

func BenchmarkDevEach(b *testing.B) {
	c := testContext(b, "seven-step")
	for i, m := range benchMessages {
		b.Run(fmt.Sprint(i), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Parse(m, c)
			}
		})
	}
}
