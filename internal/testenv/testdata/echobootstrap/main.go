// Command echobootstrap is a minimal custom Lambda runtime for the testenv
// tests. It speaks the Lambda Runtime API with the standard library only, so
// that testenv's tests need no aws-lambda-go: it echoes each event, and
// answers an event {"fail": true} with a function error.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
)

// runtimeAPI is the Runtime API version prefix.
const runtimeAPI = "/2018-06-01/runtime/invocation/"

func main() {
	base := "http://" + os.Getenv("AWS_LAMBDA_RUNTIME_API") + runtimeAPI
	for {
		if err := handleNext(base); err != nil {
			fmt.Fprintln(os.Stderr, "echobootstrap:", err)
			os.Exit(1)
		}
	}
}

// handleNext waits for one event and answers it.
func handleNext(base string) error {
	resp, err := http.Get(base + "next")
	if err != nil {
		return fmt.Errorf("get next invocation: %w", err)
	}
	event, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return fmt.Errorf("read next invocation: %w", err)
	}
	id := resp.Header.Get("Lambda-Runtime-Aws-Request-Id")

	var ask struct {
		Fail bool `json:"fail"`
	}
	if json.Unmarshal(event, &ask) == nil && ask.Fail {
		doc := []byte(`{"errorType":"EchoError","errorMessage":"asked to fail"}`)
		return post(base+id+"/error", doc, map[string]string{"Lambda-Runtime-Function-Error-Type": "EchoError"})
	}
	return post(base+id+"/response", event, nil)
}

// post sends one answer to the Runtime API.
func post(url string, body []byte, header map[string]string) error {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("build answer: %w", err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("post answer: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("post answer: status %s", resp.Status)
	}
	return nil
}
