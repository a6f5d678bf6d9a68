package checkpoint

// ParseAll lets the tests read a file's bytes without writing a file, so
// that fuzzing runs at the speed of the parser.
var ParseAll = parseAll
