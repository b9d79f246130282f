package spacelift

import (
	"errors"
	"fmt"
)

// errMalformed is a response the GraphQL library could not decode.
var errMalformed = errors.New("the API answered a malformed response")

// safeDecode runs one go-graphql-client call, turning a panic in its
// response decoder (it panics on some malformed bodies, e.g. a "data" that
// is an array) into an error: a broken server answer must never crash the
// program that shows it.
func safeDecode(call func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w (decoder: %v)", errMalformed, r)
		}
	}()
	return call()
}
