package convexfake

import "unicode/utf8"

// splitChunks cuts s into consecutive pieces of at most size bytes, never
// inside a UTF-8 sequence: each piece travels as a JSON string, and a
// string holding half a character would be mangled on encoding. A size
// smaller than one character yields that whole character.
func splitChunks(s string, size int) []string {
	var parts []string
	for len(s) > size {
		cut := size
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		if cut == 0 {
			cut = size
			for cut < len(s) && !utf8.RuneStart(s[cut]) {
				cut++
			}
		}
		parts = append(parts, s[:cut])
		s = s[cut:]
	}
	return append(parts, s)
}
