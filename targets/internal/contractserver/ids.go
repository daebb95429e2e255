package contractserver

// MaxIDLen is the longest id (item, event, job, channel) contract v1 accepts.
const MaxIDLen = 128

// MaxBody is the largest request body contract v1 accepts.
const MaxBody = 64 << 10

// MaxCheckIDs is how many ids one check request may name.
const MaxCheckIDs = 1000

// ValidID reports whether s is a contract v1 id: 1 to 128 bytes of
// [A-Za-z0-9_:.-]. The alphabet needs no escaping in a URL path, so a
// percent sign in a raw path segment already means "invalid".
func ValidID(s string) bool {
	if len(s) == 0 || len(s) > MaxIDLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '_', c == ':', c == '.', c == '-':
		default:
			return false
		}
	}
	return true
}
