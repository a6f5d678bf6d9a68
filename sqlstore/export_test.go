package sqlstore

// Trace sets a function that sees every statement the store runs (nil to
// stop): the statement-count tests read it.
func Trace(s *Store, fn func(query string, args []any)) {
	if fn == nil {
		s.trace.Store(nil)
		return
	}
	s.trace.Store(&fn)
}

// LargestGroup returns the most changes one SQLite commit has carried (0
// on PostgreSQL, which has no writer).
func LargestGroup(s *Store) int64 {
	if s.writer == nil {
		return 0
	}
	return s.writer.largest.Load()
}

// WriteRaw runs a statement on the store's own write connection: the
// read-only tests check that the database itself refuses it.
func WriteRaw(s *Store, query string) error {
	_, err := s.write.Exec(query)
	return err
}

// WithTreePage sets how many entries a page of buildTree gives nodes.
func WithTreePage(n int) Option { return func(s *Store) { s.treePage = n } }
