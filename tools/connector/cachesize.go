package connector

import (
	"reflect"
	"time"
)

// sizeOf estimates the memory a cached value holds: its strings' bytes,
// its slices' elements and what its pointers reach, with Go's header sizes.
// It is an estimate for the cache's byte budget, made once per vendor read
// (cheaper than encoding the value, and closer to the memory it pins).
func sizeOf(v any) int64 {
	if v == nil {
		return 0
	}
	return valueSize(reflect.ValueOf(v), 0)
}

var timeType = reflect.TypeFor[time.Time]()

// maxSizeDepth stops the walk in a value that nests deeper than any
// normalized type does (or points back into itself).
const maxSizeDepth = 16

func valueSize(v reflect.Value, depth int) int64 {
	if depth > maxSizeDepth {
		return int64(v.Type().Size())
	}
	switch v.Kind() {
	case reflect.String:
		return 16 + int64(v.Len())
	case reflect.Slice:
		n := int64(24)
		if v.IsNil() {
			return n
		}
		elem := v.Type().Elem()
		if flat(elem) {
			return n + int64(v.Len())*int64(elem.Size())
		}
		for i := range v.Len() {
			n += valueSize(v.Index(i), depth+1)
		}
		return n
	case reflect.Pointer:
		if v.IsNil() {
			return 8
		}
		return 8 + valueSize(v.Elem(), depth+1)
	case reflect.Interface:
		if v.IsNil() {
			return 16
		}
		return 16 + valueSize(v.Elem(), depth+1)
	case reflect.Map:
		n := int64(48)
		for it := v.MapRange(); it.Next(); {
			n += valueSize(it.Key(), depth+1) + valueSize(it.Value(), depth+1)
		}
		return n
	case reflect.Struct:
		t := v.Type()
		if t == timeType || flat(t) {
			return int64(t.Size())
		}
		var n int64
		for i := range v.NumField() {
			if !t.Field(i).IsExported() {
				// Unexported state (a time's location) is shared, not held.
				n += int64(t.Field(i).Type.Size())
				continue
			}
			n += valueSize(v.Field(i), depth+1)
		}
		return n
	}
	return int64(v.Type().Size())
}

// flat reports whether values of t hold no references: their size is
// their whole cost.
func flat(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.String, reflect.Slice, reflect.Pointer, reflect.Interface, reflect.Map, reflect.Chan, reflect.Func, reflect.UnsafePointer:
		return false
	case reflect.Array:
		return flat(t.Elem())
	case reflect.Struct:
		if t == timeType {
			return true
		}
		for i := range t.NumField() {
			if !flat(t.Field(i).Type) {
				return false
			}
		}
	}
	return true
}
