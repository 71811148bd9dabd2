// Package pb holds the generated protobuf code for snapshot.proto, the
// payload schema of the snapshot file format.
package pb

//go:generate protoc --go_out=. --go_opt=paths=source_relative snapshot.proto
