package sosreport

import (
	"reflect"
	"strings"
	"unicode/utf8"
)

// validUTF8 replaces invalid UTF-8 in every string of v (a pointer) with
// U+FFFD and returns how many strings it changed. The snapshot format
// stores text fields as protobuf strings, which must be UTF-8; a hostile
// or damaged bundle can hold any bytes in an interface name, a process
// name or a member's path. Byte fields ([]byte) are left alone, so the
// verbatim member data in the files table keeps the original bytes.
func validUTF8(v any) int {
	return fixValue(reflect.ValueOf(v))
}

func fixValue(v reflect.Value) int {
	n := 0
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			n += fixValue(v.Elem())
		}
	case reflect.String:
		if s := v.String(); !utf8.ValidString(s) && v.CanSet() {
			v.SetString(strings.ToValidUTF8(s, "\uFFFD"))
			n++
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				n += fixValue(v.Field(i))
			}
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return 0
		}
		for i := 0; i < v.Len(); i++ {
			n += fixValue(v.Index(i))
		}
	case reflect.Array:
		for i := 0; i < v.Len(); i++ {
			n += fixValue(v.Index(i))
		}
	case reflect.Map:
		iter := v.MapRange()
		type kv struct{ k, v reflect.Value }
		var fixed []kv
		for iter.Next() {
			val := reflect.New(iter.Value().Type()).Elem()
			val.Set(iter.Value())
			if c := fixValue(val); c > 0 {
				n += c
				fixed = append(fixed, kv{iter.Key(), val})
			}
		}
		for _, f := range fixed {
			v.SetMapIndex(f.k, f.v)
		}
	}
	return n
}
